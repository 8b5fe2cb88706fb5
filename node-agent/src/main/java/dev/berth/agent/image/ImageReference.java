package dev.berth.agent.image;

import java.util.regex.Pattern;

/**
 * Which image a task names, read by Docker's rules so that an app written for Docker or Marathon
 * names the same image here: {@code redis} is {@code docker.io/library/redis:latest}, the first part of
 * a name is a registry only when it looks like a host ({@code .} or {@code :} in it, or
 * {@code localhost}), and a digest pins the exact manifest.
 *
 * @param registry   host[:port] the image is pulled from ({@code registry-1.docker.io} for Docker Hub)
 * @param repository path of the repository in the registry ({@code library/redis})
 * @param tag        the tag; null only when the reference names just a digest
 * @param digest     {@code sha256:<hex>} of the manifest, or null
 */
public record ImageReference(String registry, String repository, String tag, String digest) {
    /** Where Docker Hub's API actually answers; {@code docker.io} is only its name. */
    public static final String DOCKER_HUB = "registry-1.docker.io";
    private static final String DOCKER_HUB_NAME = "docker.io";
    private static final Pattern COMPONENT = Pattern.compile("[a-z0-9]+(?:(?:[._]|__|-+)[a-z0-9]+)*");
    private static final Pattern HOST = Pattern.compile(
            "(?:[A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?(?:\\.[A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?)*"
                    + "|\\[[0-9A-Fa-f:.]+\\])(?::[0-9]{1,5})?");
    private static final Pattern TAG = Pattern.compile("[A-Za-z0-9_][A-Za-z0-9_.-]{0,127}");
    private static final Pattern DIGEST = Pattern.compile("sha256:[a-f0-9]{64}");

    public ImageReference {
        if (registry == null || repository == null || (tag == null && digest == null)) {
            throw new IllegalArgumentException("an image reference needs a registry, a repository and a tag or digest");
        }
    }

    /**
     * Reads an image name as {@code docker pull} does.
     *
     * @throws IllegalArgumentException saying what is wrong with the name
     */
    public static ImageReference parse(String name) {
        if (name == null || name.isBlank()) {
            throw new IllegalArgumentException("an image name is required");
        }
        if (!name.equals(name.strip())) {
            throw new IllegalArgumentException("invalid image name '" + name + "': it has leading or trailing spaces");
        }
        String rest = name;
        String digest = null;
        int at = rest.indexOf('@');
        if (at >= 0) {
            digest = rest.substring(at + 1);
            rest = rest.substring(0, at);
            if (!DIGEST.matcher(digest).matches()) {
                throw new IllegalArgumentException("invalid image name '" + name + "': the digest must be sha256:"
                        + " followed by 64 lower-case hex digits");
            }
        }
        String tag = null;
        int lastSlash = rest.lastIndexOf('/');
        int colon = rest.lastIndexOf(':');
        if (colon > lastSlash) {
            tag = rest.substring(colon + 1);
            rest = rest.substring(0, colon);
            if (!TAG.matcher(tag).matches()) {
                throw new IllegalArgumentException("invalid image name '" + name + "': invalid tag '" + tag + "'");
            }
        }
        String registry = DOCKER_HUB;
        int firstSlash = rest.indexOf('/');
        if (firstSlash > 0) {
            String first = rest.substring(0, firstSlash);
            if (first.contains(".") || first.contains(":") || first.equals("localhost")
                    || !first.equals(first.toLowerCase(java.util.Locale.ROOT))) {
                if (!HOST.matcher(first).matches()) {
                    throw new IllegalArgumentException("invalid image name '" + name + "': invalid registry '"
                            + first + "'");
                }
                registry = first.equals(DOCKER_HUB_NAME) || first.equals("index.docker.io") ? DOCKER_HUB : first;
                rest = rest.substring(firstSlash + 1);
            }
        }
        if (rest.isEmpty()) {
            throw new IllegalArgumentException("invalid image name '" + name + "': the repository is missing");
        }
        for (String component : rest.split("/", -1)) {
            if (!COMPONENT.matcher(component).matches()) {
                throw new IllegalArgumentException("invalid image name '" + name + "': '" + component
                        + "' is not a valid repository part (lower-case letters, digits and . _ - between them)");
            }
        }
        if (registry.equals(DOCKER_HUB) && !rest.contains("/")) {
            rest = "library/" + rest; // Docker Hub's official images live under library/
        }
        if (rest.length() > 255) {
            throw new IllegalArgumentException("invalid image name '" + name + "': the repository is longer than 255");
        }
        if (tag == null && digest == null) {
            tag = "latest";
        }
        return new ImageReference(registry, rest, tag, digest);
    }

    /** What the manifest is asked for by: the digest when there is one (it pins the content), else the tag. */
    public String manifestReference() {
        return digest != null ? digest : tag;
    }

    /** The canonical name ({@code docker.io/library/redis:latest}), which {@link #parse} reads back to this. */
    @Override
    public String toString() {
        String host = registry.equals(DOCKER_HUB) ? DOCKER_HUB_NAME : registry;
        return host + "/" + repository + (tag != null ? ":" + tag : "") + (digest != null ? "@" + digest : "");
    }
}
