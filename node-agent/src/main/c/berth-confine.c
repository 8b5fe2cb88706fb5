/*
 * berth-confine: puts one task into a root file system of its own and drops its privileges, then
 * execs the task's command. Built from this source by the node agent's Maven build; the agent carries
 * it in its jar and writes it to <work-dir>/bin at start.
 *
 * Why a native helper and not the shell steps the rest of the launch uses: a root takes some twenty
 * mount calls, a pivot_root, and the capability and no_new_privs calls that setpriv(1) makes. From a
 * shell each mount is a fork and exec of mount(8); here they are system calls in one process, so a
 * confined launch costs about what a plain one does (docs/benchmarks.md, AgentLaunchBench).
 *
 * It runs as root, as the child of the task's init (pid 1 of the task's PID namespace), and:
 *   1. makes a mount namespace of its own (the init's stays as it was: it keeps seeing the host's
 *      files, where it writes the task's exit code and reads the node's lease);
 *   2. mounts a small tmpfs on --root and builds the task's world in it: read-only binds of the host
 *      directories a process needs (--ro, as Nomad's chroot_env; a directory that is a symbolic link
 *      on the host, such as Debian's /bin -> usr/bin, is made the same link), a reduced /etc (--etc,
 *      prepared by the agent: no shadow, no Berth files) with the task's own /etc/hosts (--hosts), a
 *      fresh /proc of the task's PID namespace (its /proc/sys read-only), a small /dev (null, zero,
 *      full, random, urandom, tty, pts, shm), a private /tmp, the task's sandbox (--sandbox, writable)
 *      and its volumes (--volume) at their container paths;
 *   3. writes the mounted mark (--mounted), pivot_roots into the new root, detaches the host's root
 *      and makes the new root itself read-only;
 *   4. becomes the task's user (--user, looked up on the host before the pivot, with its groups), with
 *      no_new_privs (setuid binaries and file capabilities give nothing), every capability dropped
 *      from all sets and the bounding set; a task that runs as root (only where the node allows it)
 *      keeps Docker's default capabilities and nothing more;
 *   5. refuses it user namespaces (a seccomp filter, see refuse_user_namespaces);
 *   6. execs the command, from the sandbox.
 * Any failure before the exec writes one line to the failure mark (--failed, or --volume-failed for a
 * volume) and exits 125, without starting anything.
 *
 * A task that runs an image (--image LOWER_DIRS UPPER WORK) gets no tmpfs and no host directories in
 * step 2: its root is an overlay of the image's unpacked layers (LOWER_DIRS, top layer first, joined by
 * ':') with a writable upper directory in its sandbox, so what it writes goes where its disk use is
 * counted and goes with the sandbox. The image's own /etc stays; only /etc/hosts and /etc/resolv.conf
 * are bound over it (a link there is replaced by a file first: binding over a link would follow it).
 * The root stays writable, as Docker leaves it. Such a task's user comes as numbers (--ids UID GID),
 * looked up by the agent in the image's own /etc/passwd, since the host's may not know it, and it
 * starts in the image's working directory (--workdir; made if missing, as Docker does) rather than
 * its sandbox.
 *
 * Usage: berth-confine --root DIR --etc DIR --hosts FILE (--user NAME | --ids UID GID)
 *          --sandbox HOST_DIR INNER_DIR [--image LOWER_DIRS UPPER WORK] [--workdir DIR]
 *          [--ro HOST_PATH]... [--volume ID SOURCE TARGET ro|rw]... [--mounted FILE] [--failed FILE]
 *          [--volume-failed FILE] -- COMMAND [ARG]...
 *        berth-confine launch ... (see the comment above launch())
 *        berth-confine whiteout PATH...
 *        berth-confine opaque DIR...
 *
 * whiteout and opaque mark an unpacked image layer for overlayfs (dev.berth.agent.image.ConfineLayerMarks):
 * a layer's "deleted NAME" becomes a whiteout, a character device 0/0 named NAME, and its "opaque
 * directory" the xattr trusted.overlay.opaque=y. Java can do neither (no mknod, no trusted.* xattrs), so
 * the agent asks its helper, once per layer with all the layer's paths. Each ends at the first failure,
 * with a message and exit code 1; an existing PATH is a failure (the unpacker never leaves one there).
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <grp.h>
#include <limits.h>
#include <net/if.h>
#include <signal.h>
#include <linux/audit.h>
#include <linux/capability.h>
#include <linux/filter.h>
#include <linux/seccomp.h>
#include <pwd.h>
#include <sched.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mount.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/sysmacros.h>
#include <sys/xattr.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#define MAX_ITEMS 64
#define MAX_GROUPS 256

struct volume {
    const char *id;
    const char *source;
    const char *target;
    int read_only;
};

/* Where a failure is written: a directory opened before the pivot, so the mark is reachable after it too. */
struct mark {
    int dir;
    const char *name;
};

static struct mark failed_mark = {-1, NULL};
static struct mark volume_failed_mark = {-1, NULL};

static struct mark open_mark(const char *path) {
    struct mark mark = {-1, NULL};
    const char *slash = strrchr(path, '/');
    char dir[PATH_MAX];
    if (slash == NULL) {
        snprintf(dir, sizeof dir, ".");
        mark.name = path;
    } else {
        snprintf(dir, sizeof dir, "%.*s", (int) (slash - path), path);
        mark.name = slash + 1;
    }
    mark.dir = open(dir[0] ? dir : "/", O_PATH | O_DIRECTORY | O_CLOEXEC);
    return mark;
}

/* Writes the reason where the agent reads it, and on stderr (the task's log), then ends: exit 125. */
static void fail_to(struct mark mark, const char *format, ...) {
    char message[2048];
    va_list args;
    va_start(args, format);
    vsnprintf(message, sizeof message, format, args);
    va_end(args);
    fprintf(stderr, "berth-confine: %s\n", message);
    if (mark.dir >= 0) {
        int fd = openat(mark.dir, mark.name, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
        if (fd >= 0) {
            dprintf(fd, "%s\n", message);
            close(fd);
        }
    }
    _exit(125);
}

#define fail(...) fail_to(failed_mark, __VA_ARGS__)

static void join(char *out, const char *root, const char *path) {
    if (snprintf(out, PATH_MAX, "%s%s", root, path) >= PATH_MAX) {
        fail("path too long: %s%s", root, path);
    }
}

/* mkdir -p; existing directories are fine. Returns 0, or -1 with errno set. */
static int make_dirs(const char *path, mode_t mode) {
    char buffer[PATH_MAX];
    size_t length = strlen(path);
    if (length >= sizeof buffer) {
        errno = ENAMETOOLONG;
        return -1;
    }
    memcpy(buffer, path, length + 1);
    for (char *p = buffer + 1; ; p++) {
        if (*p == '/' || *p == '\0') {
            char saved = *p;
            *p = '\0';
            if (mkdir(buffer, mode) != 0 && errno != EEXIST) {
                return -1;
            }
            *p = saved;
            if (saved == '\0') {
                return 0;
            }
        }
    }
}

static void make_file(const char *path) {
    int fd = open(path, O_WRONLY | O_CREAT | O_CLOEXEC, 0644);
    if (fd < 0) {
        fail("cannot create %s: %s", path, strerror(errno));
    }
    close(fd);
}

static void mount_or_fail(const char *source, const char *target, const char *type, unsigned long flags,
                          const char *data) {
    if (mount(source, target, type, flags, data) != 0) {
        fail("cannot mount %s on %s: %s", source != NULL ? source : type != NULL ? type : "(remount)", target,
             strerror(errno));
    }
}

/* Binds source at target, then sets the bind's own flags (a bind takes its source's flags at first). */
static void bind_mount(const char *source, const char *target, unsigned long flags) {
    mount_or_fail(source, target, NULL, MS_BIND | MS_REC, NULL);
    mount_or_fail(NULL, target, NULL, MS_BIND | MS_REMOUNT | flags, NULL);
}

/* A host directory the task may read (and run from): bound read-only, or the same link it is on the host. */
static void read_only(const char *root, const char *host_path) {
    char target[PATH_MAX];
    struct stat st;
    join(target, root, host_path);
    if (lstat(host_path, &st) != 0) {
        return; /* not on this host (/lib32 on most): nothing to offer */
    }
    if (S_ISLNK(st.st_mode)) {
        char link[PATH_MAX];
        ssize_t n = readlink(host_path, link, sizeof link - 1);
        if (n < 0) {
            fail("cannot read link %s: %s", host_path, strerror(errno));
        }
        link[n] = '\0';
        char *slash = strrchr(target, '/');
        *slash = '\0';
        if (make_dirs(target, 0755) != 0) {
            fail("cannot create %s: %s", target, strerror(errno));
        }
        *slash = '/';
        if (symlink(link, target) != 0 && errno != EEXIST) {
            fail("cannot link %s: %s", target, strerror(errno));
        }
        return;
    }
    if (S_ISDIR(st.st_mode)) {
        if (make_dirs(target, 0755) != 0) {
            fail("cannot create %s: %s", target, strerror(errno));
        }
    } else {
        char *slash = strrchr(target, '/');
        *slash = '\0';
        if (make_dirs(target, 0755) != 0) {
            fail("cannot create %s: %s", target, strerror(errno));
        }
        *slash = '/';
        make_file(target);
    }
    bind_mount(host_path, target, MS_RDONLY | MS_NOSUID | MS_NODEV);
}

/* /proc of the task's PID namespace, with the kernel's knobs read-only even for a task running as root. */
static void proc(const char *root) {
    static const char *const read_only_parts[] = {"/sys", "/sysrq-trigger", "/irq", "/bus"};
    char target[PATH_MAX];
    join(target, root, "/proc");
    if (make_dirs(target, 0555) != 0) {
        fail("cannot create %s: %s", target, strerror(errno));
    }
    mount_or_fail("proc", target, "proc", MS_NOSUID | MS_NODEV | MS_NOEXEC, NULL);
    for (size_t i = 0; i < sizeof read_only_parts / sizeof *read_only_parts; i++) {
        char part[PATH_MAX];
        join(part, target, read_only_parts[i]);
        if (access(part, F_OK) == 0) {
            bind_mount(part, part, MS_RDONLY | MS_NOSUID | MS_NODEV | MS_NOEXEC);
        }
    }
}

/* A /dev with the few devices a program expects, a private pts instance and a shm, nothing else. */
static void dev(const char *root) {
    static const char *const devices[] = {"null", "zero", "full", "random", "urandom", "tty"};
    static const char *const links[][2] = {
            {"fd", "/proc/self/fd"}, {"stdin", "/proc/self/fd/0"}, {"stdout", "/proc/self/fd/1"},
            {"stderr", "/proc/self/fd/2"}, {"ptmx", "pts/ptmx"}};
    char target[PATH_MAX];
    char path[PATH_MAX + 64];
    join(target, root, "/dev");
    if (make_dirs(target, 0755) != 0) {
        fail("cannot create %s: %s", target, strerror(errno));
    }
    mount_or_fail("tmpfs", target, "tmpfs", MS_NOSUID | MS_NOEXEC, "mode=755,size=64k");
    for (size_t i = 0; i < sizeof devices / sizeof *devices; i++) {
        char host[64];
        snprintf(host, sizeof host, "/dev/%s", devices[i]);
        snprintf(path, sizeof path, "%s/%s", target, devices[i]);
        if (access(host, F_OK) != 0) {
            continue;
        }
        make_file(path);
        mount_or_fail(host, path, NULL, MS_BIND, NULL);
    }
    for (size_t i = 0; i < sizeof links / sizeof *links; i++) {
        snprintf(path, sizeof path, "%s/%s", target, links[i][0]);
        if (symlink(links[i][1], path) != 0) {
            fail("cannot link %s: %s", path, strerror(errno));
        }
    }
    snprintf(path, sizeof path, "%s/pts", target);
    if (mkdir(path, 0755) != 0) {
        fail("cannot create %s: %s", path, strerror(errno));
    }
    mount_or_fail("devpts", path, "devpts", MS_NOSUID | MS_NOEXEC, "newinstance,ptmxmode=0666,mode=0620");
    snprintf(path, sizeof path, "%s/shm", target);
    if (mkdir(path, 01777) != 0) {
        fail("cannot create %s: %s", path, strerror(errno));
    }
    mount_or_fail("shm", path, "tmpfs", MS_NOSUID | MS_NODEV | MS_NOEXEC, "mode=1777");
}

/* A private /tmp: a tmpfs, whose pages count against the task's memory limit (its cgroup), not the host's disk. */
static void tmp(const char *root) {
    char target[PATH_MAX];
    join(target, root, "/tmp");
    if (make_dirs(target, 0755) != 0) {
        fail("cannot create %s: %s", target, strerror(errno));
    }
    mount_or_fail("tmpfs", target, "tmpfs", MS_NOSUID | MS_NODEV, "mode=1777");
}

static void etc(const char *root, const char *etc_dir, const char *hosts) {
    char target[PATH_MAX];
    join(target, root, "/etc");
    if (make_dirs(target, 0755) != 0) {
        fail("cannot create %s: %s", target, strerror(errno));
    }
    bind_mount(etc_dir, target, MS_RDONLY | MS_NOSUID | MS_NODEV);
    if (hosts != NULL) {
        char path[PATH_MAX];
        join(path, target, "/hosts");
        if (access(path, F_OK) != 0) {
            fail("the task's /etc has no hosts file to mount %s on", hosts);
        }
        bind_mount(hosts, path, MS_RDONLY | MS_NOSUID | MS_NODEV);
    }
}

/* The image's root: its layers under a writable upper directory, in one overlay. */
static void image_root(const char *root, const char *lower, const char *upper, const char *work) {
    char options[8192];
    if (snprintf(options, sizeof options, "lowerdir=%s,upperdir=%s,workdir=%s", lower, upper, work)
            >= (int) sizeof options) {
        fail("the image has too many layers to mount at once");
    }
    mount_or_fail("overlay", root, "overlay", MS_NOSUID | MS_NODEV, options);
}

/* One file of the task's own over the image's (/etc/hosts, /etc/resolv.conf): a regular file first, then a bind. */
static void image_etc_file(const char *root, const char *host_file, const char *inner) {
    char target[PATH_MAX];
    struct stat st;
    join(target, root, inner);
    if (lstat(target, &st) == 0 && !S_ISREG(st.st_mode)) {
        if (unlink(target) != 0) {
            fail("cannot replace %s of the image: %s", inner, strerror(errno));
        }
    }
    char *slash = strrchr(target, '/');
    *slash = '\0';
    if (make_dirs(target, 0755) != 0) {
        fail("cannot create %s: %s", target, strerror(errno));
    }
    *slash = '/';
    make_file(target);
    bind_mount(host_file, target, MS_RDONLY | MS_NOSUID | MS_NODEV);
}

static void image_etc(const char *root, const char *etc_dir, const char *hosts) {
    char resolv[PATH_MAX];
    if (hosts != NULL) {
        image_etc_file(root, hosts, "/etc/hosts");
    }
    if (snprintf(resolv, sizeof resolv, "%s/resolv.conf", etc_dir) < (int) sizeof resolv
            && access(resolv, R_OK) == 0) {
        image_etc_file(root, resolv, "/etc/resolv.conf");
    }
}

static void sandbox(const char *root, const char *host_dir, const char *inner) {
    char target[PATH_MAX];
    join(target, root, inner);
    if (make_dirs(target, 0755) != 0) {
        fail("cannot create %s: %s", target, strerror(errno));
    }
    bind_mount(host_dir, target, MS_NOSUID | MS_NODEV);
}

/*
 * A volume at its container path. The mount point is made if missing (in the tmpfs root; under a
 * read-only system directory it cannot be, and the volume is refused); a link there is refused, as the
 * agent refuses one in the sandbox: mounting over it would follow it.
 */
static void volume(const char *root, const struct volume *v) {
    char target[PATH_MAX];
    struct stat st;
    join(target, root, v->target);
    if (lstat(target, &st) == 0) {
        if (S_ISLNK(st.st_mode) || !S_ISDIR(st.st_mode)) {
            fail_to(volume_failed_mark, "cannot mount volume %s at %s: the mount point is not a directory",
                    v->id, v->target);
        }
    } else if (make_dirs(target, 0755) != 0) {
        fail_to(volume_failed_mark, "cannot mount volume %s at %s: cannot create the mount point: %s", v->id,
                v->target, strerror(errno));
    }
    if (mount(v->source, target, NULL, MS_BIND | MS_REC, NULL) != 0) {
        fail_to(volume_failed_mark, "cannot mount volume %s at %s: %s", v->id, v->target, strerror(errno));
    }
    unsigned long flags = MS_NOSUID | MS_NODEV | (v->read_only ? MS_RDONLY : 0);
    if (mount(NULL, target, NULL, MS_BIND | MS_REMOUNT | flags, NULL) != 0) {
        fail_to(volume_failed_mark, "cannot make volume %s at %s %s: %s", v->id, v->target,
                v->read_only ? "read-only" : "safe (nosuid, nodev)", strerror(errno));
    }
}

static void write_mark(const char *mark) {
    int fd = open(mark, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
    if (fd < 0 || write(fd, "mounted\n", 8) != 8) {
        fail("cannot write %s: %s", mark, strerror(errno));
    }
    close(fd);
}

/* Into the new root; the host's root is detached, so nothing of it stays reachable, not even through /proc. */
static void pivot(const char *root, int writable) {
    if (chdir(root) != 0) {
        fail("cannot enter %s: %s", root, strerror(errno));
    }
    if (syscall(SYS_pivot_root, ".", ".") != 0) {
        fail("pivot_root into %s failed: %s", root, strerror(errno));
    }
    /* The old root is stacked on "." now: keep our detach from reaching anything it shares, then detach it. */
    mount_or_fail(NULL, ".", NULL, MS_SLAVE | MS_REC, NULL);
    if (umount2(".", MNT_DETACH) != 0) {
        fail("cannot detach the host's root: %s", strerror(errno));
    }
    if (chdir("/") != 0) {
        fail("cannot enter the new root: %s", strerror(errno));
    }
    mount_or_fail(NULL, "/", NULL, MS_BIND | MS_REMOUNT | (writable ? 0 : MS_RDONLY) | MS_NOSUID | MS_NODEV, NULL);
}

/* Docker's default capabilities: what a task that runs as root keeps (and only there). */
static uint64_t root_capabilities(void) {
    static const int kept[] = {CAP_CHOWN, CAP_DAC_OVERRIDE, CAP_FSETID, CAP_FOWNER, CAP_MKNOD, CAP_NET_RAW,
                               CAP_SETGID, CAP_SETUID, CAP_SETFCAP, CAP_SETPCAP, CAP_NET_BIND_SERVICE,
                               CAP_SYS_CHROOT, CAP_KILL, CAP_AUDIT_WRITE};
    uint64_t set = 0;
    for (size_t i = 0; i < sizeof kept / sizeof *kept; i++) {
        set |= 1ULL << kept[i];
    }
    return set;
}

static void set_capabilities(uint64_t set) {
    struct __user_cap_header_struct header = {_LINUX_CAPABILITY_VERSION_3, 0};
    struct __user_cap_data_struct data[2];
    memset(data, 0, sizeof data);
    for (int i = 0; i < 2; i++) {
        uint32_t part = (uint32_t) (set >> (32 * i));
        data[i].effective = part;
        data[i].permitted = part;
        data[i].inheritable = part;
    }
    if (syscall(SYS_capset, &header, data) != 0) {
        fail("cannot set capabilities: %s", strerror(errno));
    }
}

/* Becomes the user, for good: no way back to root, no capability left (root: Docker's set), no new privileges. */
static void drop_privileges(uid_t uid, gid_t gid, gid_t *groups, int group_count) {
    uint64_t keep = uid == 0 ? root_capabilities() : 0;
    if (prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) != 0) {
        fail("cannot set no_new_privs: %s", strerror(errno));
    }
    for (int cap = 0; cap < 64; cap++) {
        if (keep & (1ULL << cap)) {
            continue;
        }
        if (prctl(PR_CAPBSET_DROP, cap, 0, 0, 0) != 0) {
            if (errno == EINVAL) {
                break; /* past the kernel's last capability */
            }
            fail("cannot drop capability %d: %s", cap, strerror(errno));
        }
    }
    prctl(PR_CAP_AMBIENT, PR_CAP_AMBIENT_CLEAR_ALL, 0, 0, 0);
    if (setgroups((size_t) group_count, groups) != 0) {
        fail("cannot set the groups of uid %d: %s", (int) uid, strerror(errno));
    }
    if (setresgid(gid, gid, gid) != 0) {
        fail("cannot become gid %d: %s", (int) gid, strerror(errno));
    }
    if (uid != 0 && setresuid(uid, uid, uid) != 0) {
        fail("cannot become uid %d: %s", (int) uid, strerror(errno));
    }
    /* A change away from uid 0 already emptied the permitted and effective sets; this empties the rest. */
    set_capabilities(keep);
}

#if defined(__x86_64__)
#define BERTH_AUDIT_ARCH AUDIT_ARCH_X86_64
#elif defined(__aarch64__)
#define BERTH_AUDIT_ARCH AUDIT_ARCH_AARCH64
#endif

/*
 * No user namespaces: inside one an unprivileged task is "root" with every capability over what that
 * namespace owns (mounts of its own, other namespaces), which is how most escapes from a confined
 * process begin; Docker's default seccomp profile refuses them for the same reason. unshare and clone
 * with CLONE_NEWUSER fail with EPERM; clone3 (whose flags seccomp cannot read) fails with ENOSYS, on
 * which the C library falls back to clone. Everything else is allowed. Kept by every child, and by
 * no_new_privs no one can lift it.
 */
static void refuse_user_namespaces(void) {
#ifdef BERTH_AUDIT_ARCH
    struct sock_filter filter[] = {
            BPF_STMT(BPF_LD | BPF_W | BPF_ABS, offsetof(struct seccomp_data, arch)),
            BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, BERTH_AUDIT_ARCH, 1, 0),
            BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_ALLOW),
            BPF_STMT(BPF_LD | BPF_W | BPF_ABS, offsetof(struct seccomp_data, nr)),
#ifdef __NR_clone3
            BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, __NR_clone3, 0, 1),
            BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_ERRNO | ENOSYS),
#endif
            BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, __NR_unshare, 1, 0),
            BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, __NR_clone, 0, 3),
            /* the flags: unshare's first argument, and clone's on x86_64 and arm64 (low 32 bits) */
            BPF_STMT(BPF_LD | BPF_W | BPF_ABS, offsetof(struct seccomp_data, args[0])),
            BPF_JUMP(BPF_JMP | BPF_JSET | BPF_K, CLONE_NEWUSER, 0, 1),
            BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_ERRNO | EPERM),
            BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_ALLOW),
    };
    struct sock_fprog program = {(unsigned short) (sizeof filter / sizeof *filter), filter};
    if (prctl(PR_SET_SECCOMP, SECCOMP_MODE_FILTER, &program) != 0) {
        fail("cannot install the seccomp filter: %s", strerror(errno));
    }
#endif
}

static void usage(const char *why) {
    fprintf(stderr, "berth-confine: %s\n", why);
    _exit(125);
}

/* The own root and the task's user, then the task's command: the steps above. argv[0] is not read. */
static int confine(int argc, char **argv) {
    const char *root = NULL, *etc_dir = NULL, *hosts = NULL, *user = NULL, *mounted = NULL;
    const char *sandbox_dir = NULL, *sandbox_inner = NULL;
    const char *image_lower = NULL, *image_upper = NULL, *image_work = NULL, *workdir = NULL;
    long ids[2] = {-1, -1};
    const char *read_only_paths[MAX_ITEMS];
    struct volume volumes[MAX_ITEMS];
    int read_only_count = 0, volume_count = 0, i = 1;
    for (; i < argc; i++) {
        const char *option = argv[i];
        int left = argc - i - 1;
        if (strcmp(option, "--") == 0) {
            i++;
            break;
        } else if (strcmp(option, "--root") == 0 && left >= 1) {
            root = argv[++i];
        } else if (strcmp(option, "--etc") == 0 && left >= 1) {
            etc_dir = argv[++i];
        } else if (strcmp(option, "--hosts") == 0 && left >= 1) {
            hosts = argv[++i];
        } else if (strcmp(option, "--user") == 0 && left >= 1) {
            user = argv[++i];
        } else if (strcmp(option, "--mounted") == 0 && left >= 1) {
            mounted = argv[++i];
        } else if (strcmp(option, "--failed") == 0 && left >= 1) {
            failed_mark = open_mark(argv[++i]);
        } else if (strcmp(option, "--volume-failed") == 0 && left >= 1) {
            volume_failed_mark = open_mark(argv[++i]);
        } else if (strcmp(option, "--sandbox") == 0 && left >= 2) {
            sandbox_dir = argv[++i];
            sandbox_inner = argv[++i];
        } else if (strcmp(option, "--image") == 0 && left >= 3) {
            image_lower = argv[++i];
            image_upper = argv[++i];
            image_work = argv[++i];
        } else if (strcmp(option, "--workdir") == 0 && left >= 1) {
            workdir = argv[++i];
        } else if (strcmp(option, "--ids") == 0 && left >= 2) {
            char *end;
            for (int n = 0; n < 2; n++) {
                errno = 0;
                ids[n] = strtol(argv[++i], &end, 10);
                if (errno != 0 || *end != '\0' || ids[n] < 0 || ids[n] > 0x7fffffffL) {
                    usage("--ids takes a numeric uid and gid");
                }
            }
        } else if (strcmp(option, "--ro") == 0 && left >= 1 && read_only_count < MAX_ITEMS) {
            read_only_paths[read_only_count++] = argv[++i];
        } else if (strcmp(option, "--volume") == 0 && left >= 4 && volume_count < MAX_ITEMS) {
            struct volume *v = &volumes[volume_count++];
            v->id = argv[++i];
            v->source = argv[++i];
            v->target = argv[++i];
            v->read_only = strcmp(argv[++i], "ro") == 0;
        } else {
            usage("unknown or incomplete option (see the comment at the top of berth-confine.c)");
        }
    }
    if (root == NULL || etc_dir == NULL || (user == NULL && ids[0] < 0) || sandbox_dir == NULL || i >= argc) {
        usage("--root, --etc, --user or --ids, --sandbox and a command are required");
    }
    if (volume_failed_mark.dir < 0) {
        volume_failed_mark = failed_mark;
    }

    uid_t uid;
    gid_t gid;
    gid_t groups[MAX_GROUPS];
    int group_count = MAX_GROUPS;
    if (ids[0] >= 0) {
        uid = (uid_t) ids[0];
        gid = (gid_t) ids[1];
        group_count = 1;
        groups[0] = gid;
    } else {
        /* The user as the host knows it, looked up before the host's /etc is out of reach. */
        struct passwd *entry = getpwnam(user);
        if (entry == NULL) {
            fail("user '%s' does not exist on this node", user);
        }
        uid = entry->pw_uid;
        gid = entry->pw_gid;
        if (getgrouplist(user, gid, groups, &group_count) < 0) {
            group_count = 1;
            groups[0] = gid;
        }
    }

    if (unshare(CLONE_NEWNS) != 0) {
        fail("cannot make a mount namespace: %s", strerror(errno));
    }
    /* Nothing mounted from here on may reach the init's namespace, nor the host's. */
    mount_or_fail(NULL, "/", NULL, MS_REC | MS_PRIVATE, NULL);
    if (image_lower != NULL) {
        image_root(root, image_lower, image_upper, image_work);
        image_etc(root, etc_dir, hosts);
    } else {
        mount_or_fail("tmpfs", root, "tmpfs", MS_NOSUID | MS_NODEV, "mode=755,size=1m");
        for (int r = 0; r < read_only_count; r++) {
            read_only(root, read_only_paths[r]);
        }
        etc(root, etc_dir, hosts);
    }
    proc(root);
    dev(root);
    tmp(root);
    sandbox(root, sandbox_dir, sandbox_inner);
    for (int v = 0; v < volume_count; v++) {
        volume(root, &volumes[v]);
    }
    if (mounted != NULL) {
        write_mark(mounted);
    }
    pivot(root, image_lower != NULL);
    if (workdir != NULL && make_dirs(workdir, 0755) != 0) {
        fail("cannot create the working directory %s: %s", workdir, strerror(errno));
    }
    if (chdir(workdir != NULL ? workdir : sandbox_inner) != 0) {
        fail("cannot enter %s: %s", workdir != NULL ? workdir : sandbox_inner, strerror(errno));
    }
    drop_privileges(uid, gid, groups, group_count);
    refuse_user_namespaces();
    execvp(argv[i], argv + i);
    fprintf(stderr, "berth-confine: cannot start %s: %s\n", argv[i], strerror(errno));
    _exit(errno == ENOENT ? 127 : 126);
}

/*
 * The launch, for a task in its own root: what setsid(1), the agent's JOIN shell, unshare(1) and its
 * INIT shell do for a task without one, in this one process and its fork, so a task costs one exec
 * before its own instead of five (docs/benchmarks.md, AgentLaunchBench):
 *   the leader: leads its own session, joins the task's cgroups (every process of the task is counted
 *   from its first instruction), makes the task's PID, mount, UTS and IPC namespaces (and network,
 *   --net), forks the init and waits for it, ending as it ended;
 *   the init (pid 1 of the namespace; killed by the kernel if the leader dies): sets the hostname,
 *   brings the loopback up (--net), starts the task (the steps of confine() in a child), forwards
 *   SIGTERM, SIGINT and SIGHUP to it, reaps whatever ends in the namespace, and when the task ends
 *   writes its exit code to --exit-file (the code, or 128 + the signal that killed it) and exits with it;
 *   the watchdog, in the init of a task with an external volume (--lease): before the task starts and
 *   every 200 ms while it runs, if the node's lease is over (centiseconds of /proc/uptime, as the agent
 *   writes it; a missing or unreadable lease counts as over) or a volume's epoch file holds a number
 *   above the task's (--epoch FILE N), it writes the fenced mark (--fenced: "lease" or "epoch <n>") and
 *   SIGKILLs every process of the namespace; the task then ends 137.
 *
 * Usage: berth-confine launch [--procs F1:F2:…] --exit-file FILE [--hostname NAME] [--net]
 *          [--lease FILE --fenced FILE [--epoch FILE N]…] -- <confine()'s arguments> -- COMMAND…
 */

#define MAX_EPOCHS 64

static volatile sig_atomic_t pending_signal;

static void remember(int signal) {
    pending_signal = signal;
}

static void write_number(const char *file, const char *text) {
    int fd = open(file, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
    if (fd >= 0) {
        if (write(fd, text, strlen(text)) < 0) {
            /* nothing more to do: the agent then learns the end from the process itself */
        }
        close(fd);
    }
}

/* A whole non-negative number from the start of a small file; -1 when missing, empty or not a number. */
static long long read_number(const char *file, char stop) {
    char text[64];
    int fd = open(file, O_RDONLY | O_CLOEXEC);
    if (fd < 0) {
        return -1;
    }
    ssize_t n = read(fd, text, sizeof text - 1);
    close(fd);
    if (n <= 0) {
        return -1;
    }
    text[n] = '\0';
    long long value = 0;
    int digits = 0;
    for (char *p = text; *p != '\0' && *p != stop && *p != '\n'; p++) {
        if (*p == '.' && stop == ' ') {
            continue; /* /proc/uptime: seconds with two decimals, read as centiseconds */
        }
        if (*p < '0' || *p > '9') {
            return -1;
        }
        value = value * 10 + (*p - '0');
        digits++;
    }
    return digits == 0 ? -1 : value;
}

struct watch {
    const char *lease;
    const char *fenced;
    const char *epoch_files[MAX_EPOCHS];
    long long epochs[MAX_EPOCHS];
    int epoch_count;
};

/* Empty when the task may run on; else the fenced mark's text. */
static const char *fenced_because(const struct watch *w, char *buffer, size_t size) {
    long long end = read_number(w->lease, '\n');
    long long now = read_number("/proc/uptime", ' ');
    if (end < 0 || now < 0 || now >= end) {
        return "lease";
    }
    for (int i = 0; i < w->epoch_count; i++) {
        long long current = read_number(w->epoch_files[i], '\n');
        if (current > w->epochs[i]) {
            snprintf(buffer, size, "epoch %lld", current);
            return buffer;
        }
    }
    return NULL;
}

static void loopback_up(void) {
    int fd = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
    if (fd < 0) {
        return;
    }
    struct ifreq request;
    memset(&request, 0, sizeof request);
    snprintf(request.ifr_name, sizeof request.ifr_name, "lo");
    if (ioctl(fd, SIOCGIFFLAGS, &request) == 0) {
        request.ifr_flags |= IFF_UP;
        ioctl(fd, SIOCSIFFLAGS, &request);
    }
    close(fd);
}

static int exit_code(int status) {
    return WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
}

/* pid 1 of the task's namespaces. Never returns. */
static void init(const char *hostname, int net, const char *exit_file, const struct watch *w, int argc,
                 char **argv) {
    char reason[64];
    if (hostname != NULL && sethostname(hostname, strlen(hostname)) != 0) {
        fprintf(stderr, "berth-confine: cannot set the hostname: %s\n", strerror(errno));
    }
    if (net) {
        loopback_up();
    }
    struct sigaction forward;
    memset(&forward, 0, sizeof forward);
    forward.sa_handler = remember;
    sigaction(SIGTERM, &forward, NULL);
    sigaction(SIGINT, &forward, NULL);
    sigaction(SIGHUP, &forward, NULL);
    if (w->lease != NULL) {
        const char *why = fenced_because(w, reason, sizeof reason);
        if (why != NULL) {
            write_number(w->fenced, why);
            write_number(exit_file, "137\n");
            _exit(137);
        }
    }
    pid_t task = fork();
    if (task < 0) {
        fprintf(stderr, "berth-confine: cannot start the task: %s\n", strerror(errno));
        write_number(exit_file, "125\n");
        _exit(125);
    }
    if (task == 0) {
        signal(SIGTERM, SIG_DFL);
        signal(SIGINT, SIG_DFL);
        signal(SIGHUP, SIG_DFL);
        _exit(confine(argc, argv));
    }
    int cut = 0;
    for (;;) {
        if (pending_signal != 0) {
            kill(task, pending_signal);
            pending_signal = 0;
        }
        int status;
        pid_t ended = waitpid(-1, &status, w->lease != NULL ? WNOHANG : 0);
        if (ended == task) {
            char code[16];
            snprintf(code, sizeof code, "%d\n", exit_code(status));
            write_number(exit_file, code);
            _exit(exit_code(status));
        }
        if (ended > 0) {
            continue; /* an orphan of the task, reaped */
        }
        if (ended < 0 && errno != EINTR && errno != ECHILD) {
            _exit(125);
        }
        if (w->lease != NULL && ended == 0) {
            if (!cut) {
                const char *why = fenced_because(w, reason, sizeof reason);
                if (why != NULL) {
                    write_number(w->fenced, why);
                    cut = 1;
                    kill(-1, SIGKILL);
                }
            }
            struct timespec pause = {0, 200 * 1000 * 1000};
            nanosleep(&pause, NULL);
        }
    }
}

static int launch(int argc, char **argv) {
    const char *procs = NULL, *exit_file = NULL, *hostname = NULL;
    int net = 0, i = 2;
    struct watch w;
    memset(&w, 0, sizeof w);
    for (; i < argc; i++) {
        const char *option = argv[i];
        int left = argc - i - 1;
        if (strcmp(option, "--") == 0) {
            break;
        } else if (strcmp(option, "--procs") == 0 && left >= 1) {
            procs = argv[++i];
        } else if (strcmp(option, "--exit-file") == 0 && left >= 1) {
            exit_file = argv[++i];
        } else if (strcmp(option, "--hostname") == 0 && left >= 1) {
            hostname = argv[++i];
        } else if (strcmp(option, "--net") == 0) {
            net = 1;
        } else if (strcmp(option, "--lease") == 0 && left >= 1) {
            w.lease = argv[++i];
        } else if (strcmp(option, "--fenced") == 0 && left >= 1) {
            w.fenced = argv[++i];
        } else if (strcmp(option, "--epoch") == 0 && left >= 2 && w.epoch_count < MAX_EPOCHS) {
            w.epoch_files[w.epoch_count] = argv[++i];
            w.epochs[w.epoch_count++] = atoll(argv[++i]);
        } else {
            usage("unknown or incomplete launch option (see the comment above launch())");
        }
    }
    if (exit_file == NULL || i >= argc || (w.lease != NULL && w.fenced == NULL)) {
        usage("launch needs --exit-file, --fenced with --lease, and -- before the task's own part");
    }
    setsid();
    if (procs != NULL) {
        char list[PATH_MAX * 4];
        snprintf(list, sizeof list, "%s", procs);
        char self[32];
        snprintf(self, sizeof self, "%d\n", (int) getpid());
        for (char *file = strtok(list, ":"); file != NULL; file = strtok(NULL, ":")) {
            int fd = open(file, O_WRONLY | O_CLOEXEC);
            if (fd < 0 || write(fd, self, strlen(self)) < 0) {
                fprintf(stderr, "berth-confine: cannot join the task's cgroup %s: %s\n", file, strerror(errno));
                return 125;
            }
            close(fd);
        }
    }
    int flags = CLONE_NEWPID | CLONE_NEWNS | CLONE_NEWUTS | CLONE_NEWIPC | (net ? CLONE_NEWNET : 0);
    if (unshare(flags) != 0) {
        fprintf(stderr, "berth-confine: cannot make the task's namespaces: %s\n", strerror(errno));
        return 125;
    }
    if (mount(NULL, "/", NULL, MS_REC | MS_PRIVATE, NULL) != 0) {
        fprintf(stderr, "berth-confine: cannot make the mounts private: %s\n", strerror(errno));
        return 125;
    }
    /* A pipe whose write end only the leader holds: read as EOF once it is gone (it cannot be seen from in here). */
    int alive[2];
    if (pipe2(alive, O_CLOEXEC) != 0) {
        fprintf(stderr, "berth-confine: cannot make a pipe: %s\n", strerror(errno));
        return 125;
    }
    pid_t first = fork();
    if (first < 0) {
        fprintf(stderr, "berth-confine: cannot start the task's init: %s\n", strerror(errno));
        return 125;
    }
    if (first == 0) {
        /* As unshare --kill-child: should the leader die, the whole namespace dies with its init. */
        prctl(PR_SET_PDEATHSIG, SIGKILL);
        close(alive[1]);
        int flags_now = fcntl(alive[0], F_GETFL);
        fcntl(alive[0], F_SETFL, flags_now | O_NONBLOCK);
        char byte;
        if (read(alive[0], &byte, 1) == 0) {
            _exit(137); /* the leader died before the death signal was asked for */
        }
        close(alive[0]);
        init(hostname, net, exit_file, &w, argc - i, argv + i);
    }
    close(alive[0]);
    /* The leader: SIGTERM for the task reaches every process of its cgroup anyway; it only waits. */
    signal(SIGTERM, SIG_IGN);
    signal(SIGINT, SIG_IGN);
    signal(SIGHUP, SIG_IGN);
    int status;
    while (waitpid(first, &status, 0) < 0) {
        if (errno != EINTR) {
            return 125;
        }
    }
    if (WIFSIGNALED(status)) {
        signal(WTERMSIG(status), SIG_DFL);
        kill(getpid(), WTERMSIG(status));
    }
    return exit_code(status);
}

/* Overlayfs whiteouts: each PATH becomes a character device 0/0, mode 0, which hides NAME of the layers below. */
static int whiteout(int argc, char **argv) {
    if (argc < 3) {
        usage("whiteout needs at least one PATH");
    }
    for (int i = 2; i < argc; i++) {
        if (mknod(argv[i], S_IFCHR | 0000, makedev(0, 0)) != 0) {
            fprintf(stderr, "berth-confine: cannot make the whiteout %s: %s\n", argv[i], strerror(errno));
            return 1;
        }
    }
    return 0;
}

/* Overlayfs opaque directories: each DIR hides what the layers below have in the same directory. */
static int opaque(int argc, char **argv) {
    if (argc < 3) {
        usage("opaque needs at least one DIR");
    }
    for (int i = 2; i < argc; i++) {
        struct stat st;
        if (lstat(argv[i], &st) != 0 || !S_ISDIR(st.st_mode)) {
            fprintf(stderr, "berth-confine: cannot mark %s opaque: not a directory\n", argv[i]);
            return 1;
        }
        if (lsetxattr(argv[i], "trusted.overlay.opaque", "y", 1, 0) != 0) {
            fprintf(stderr, "berth-confine: cannot mark %s opaque: %s\n", argv[i], strerror(errno));
            return 1;
        }
    }
    return 0;
}

int main(int argc, char **argv) {
    if (argc > 1 && strcmp(argv[1], "launch") == 0) {
        return launch(argc, argv);
    }
    if (argc > 1 && strcmp(argv[1], "whiteout") == 0) {
        return whiteout(argc, argv);
    }
    if (argc > 1 && strcmp(argv[1], "opaque") == 0) {
        return opaque(argc, argv);
    }
    return confine(argc, argv);
}
