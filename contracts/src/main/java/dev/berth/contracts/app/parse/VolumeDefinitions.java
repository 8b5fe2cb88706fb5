package dev.berth.contracts.app.parse;

import com.fasterxml.jackson.databind.JsonNode;
import dev.berth.contracts.app.AppVolume;
import dev.berth.contracts.app.ExternalVolume;
import dev.berth.contracts.app.PersistentVolume;
import dev.berth.contracts.app.VolumeMode;
import dev.berth.contracts.app.Volumes;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * Reads Marathon's {@code container.volumes}: local ({@code persistent}) and {@code external} volumes.
 * A volume with any bad field is left out, so an app never starts with a volume it did not mean.
 */
final class VolumeDefinitions {
    static final int MAX_VOLUMES = 16;
    static final long MAX_VOLUME_MIB = 1024L * 1024 * 1024;
    /** Drivers Berth has; a provider outside this set (Marathon's dvdi, say) is refused. */
    static final Set<String> EXTERNAL_PROVIDERS = Set.of(ExternalVolume.SHAREDFS);
    private static final Set<String> DISK_TYPES = Set.of("root", "path", "mount");
    private static final Set<String> VOLUME_FIELDS = Set.of("containerPath", "mode", "persistent", "external",
            "hostPath");
    private static final Set<String> PERSISTENT_FIELDS = Set.of("type", "size", "maxSize", "constraints",
            "profileName");
    private static final Set<String> EXTERNAL_FIELDS = Set.of("name", "size", "provider", "options");
    private static final Pattern EXTERNAL_NAME = Pattern.compile("^[a-z0-9]([a-z0-9.-]{0,62}[a-z0-9])?$");
    private static final int MAX_PATH = 512;

    private final FieldReader fields;

    VolumeDefinitions(FieldReader fields) {
        this.fields = fields;
    }

    List<AppVolume> volumes(JsonNode node) {
        if (node == null || node.isNull()) {
            return List.of();
        }
        if (!node.isArray()) {
            fields.error("container.volumes", "volumes must be an array of {containerPath, mode, persistent|external}");
            return List.of();
        }
        if (node.size() > MAX_VOLUMES) {
            fields.error("container.volumes", "at most " + MAX_VOLUMES + " volumes per app");
            return List.of();
        }
        List<AppVolume> volumes = new ArrayList<>();
        Set<String> paths = new HashSet<>();
        Set<String> externalNames = new HashSet<>();
        for (int i = 0; i < node.size(); i++) {
            String path = "container.volumes[" + i + "]";
            AppVolume volume = volume(node.get(i), path);
            if (volume == null) {
                continue;
            }
            if (!paths.add(normalized(volume.containerPath()))) {
                fields.error(path + ".containerPath", "two volumes share the containerPath '"
                        + volume.containerPath() + "'");
            }
            if (volume.isExternal() && !externalNames.add(volume.external().name())) {
                fields.error(path + ".external.name", "two volumes share the external name '"
                        + volume.external().name() + "'");
            }
            if (!volume.isExternal() && paths.stream().filter(p -> Volumes.pathName(p)
                    .equals(Volumes.pathName(volume.containerPath()))).count() > 1) {
                fields.error(path + ".containerPath", "'" + volume.containerPath()
                        + "' names the same local volume as another containerPath; choose distinct names");
            }
            volumes.add(volume);
        }
        return volumes;
    }

    private AppVolume volume(JsonNode node, String path) {
        if (node == null || !node.isObject()) {
            fields.error(path, "a volume must be an object such as {\"containerPath\": \"data\", \"mode\": \"RW\", "
                    + "\"persistent\": {\"size\": 512}}");
            return null;
        }
        int before = fields.errorCount();
        fields.at(path).unknownFields(node, VOLUME_FIELDS);
        if (node.hasNonNull("hostPath")) {
            fields.error(path + ".hostPath", "host-path volumes are not supported: a task sees only its sandbox and "
                    + "its persistent volumes; use persistent (local) or external");
        }
        String containerPath = containerPath(node.get("containerPath"), path + ".containerPath");
        VolumeMode mode = VolumeMode.RW;
        JsonNode modeNode = node.get("mode");
        if (modeNode != null && !modeNode.isNull()) {
            if (modeNode.isTextual() && (modeNode.asText().equals("RW") || modeNode.asText().equals("RO"))) {
                mode = VolumeMode.valueOf(modeNode.asText());
            } else {
                fields.error(path + ".mode", "mode must be \"RW\" or \"RO\"");
            }
        }
        JsonNode persistentNode = node.get("persistent");
        JsonNode externalNode = node.get("external");
        boolean hasPersistent = persistentNode != null && !persistentNode.isNull();
        boolean hasExternal = externalNode != null && !externalNode.isNull();
        if (hasPersistent == hasExternal) {
            fields.error(path,
                    "give exactly one of persistent (a local volume) and external (one that follows its task)");
            return null;
        }
        PersistentVolume persistent = hasPersistent ? persistent(persistentNode, path + ".persistent") : null;
        ExternalVolume external = hasExternal ? external(externalNode, path + ".external") : null;
        if (containerPath == null || fields.errorCount() > before || (hasPersistent && persistent == null)
                || (hasExternal && external == null)) {
            return null;
        }
        return new AppVolume(containerPath, mode, persistent, external);
    }

    private String containerPath(JsonNode node, String path) {
        if (node == null || !node.isTextual() || node.asText().isBlank()) {
            fields.error(path, "containerPath is required: a path relative to the sandbox (\"data\") or absolute "
                    + "inside the task (\"/var/lib/pg\")");
            return null;
        }
        String value = node.asText();
        if (value.length() > MAX_PATH) {
            fields.error(path, "containerPath has at most " + MAX_PATH + " characters");
            return null;
        }
        if (value.chars().anyMatch(c -> c < 0x20 || c == 0x7f || c == ':' || c == '\\')) {
            fields.error(path, "containerPath may not hold control characters, ':' or '\\'");
            return null;
        }
        for (String segment : value.split("/")) {
            if (segment.equals("..")) {
                fields.error(path, "containerPath may not contain '..': a volume stays inside the sandbox or the "
                        + "task's own mount namespace");
                return null;
            }
        }
        String normalized = normalized(value);
        if (normalized.equals("/") || normalized.isEmpty() || normalized.equals(".")) {
            fields.error(path, "containerPath must name a directory below the sandbox or the root, not '"
                    + value + "'");
            return null;
        }
        if (value.startsWith("/") && List.of("/proc", "/sys", "/dev").stream()
                .anyMatch(p -> normalized.equals(p) || normalized.startsWith(p + "/"))) {
            fields.error(path, "containerPath may not be under /proc, /sys or /dev");
            return null;
        }
        return value;
    }

    private static String normalized(String path) {
        String collapsed = path.replaceAll("/+", "/").replaceAll("(^|/)\\./", "$1");
        return collapsed.length() > 1 && collapsed.endsWith("/") ? collapsed.substring(0, collapsed.length() - 1)
                : collapsed;
    }

    private PersistentVolume persistent(JsonNode node, String path) {
        if (!node.isObject()) {
            fields.error(path, "persistent must be an object such as {\"type\": \"root\", \"size\": 512}");
            return null;
        }
        int before = fields.errorCount();
        fields.at(path).unknownFields(node, PERSISTENT_FIELDS);
        for (String ignoredIfEmpty : List.of("maxSize", "constraints", "profileName")) {
            JsonNode value = node.get(ignoredIfEmpty);
            if (value != null && !value.isNull() && !(value.isContainerNode() && value.isEmpty())) {
                fields.error(path + "." + ignoredIfEmpty, "'" + ignoredIfEmpty + "' is not supported; remove it");
            }
        }
        String type = "root";
        JsonNode typeNode = node.get("type");
        if (typeNode != null && !typeNode.isNull()) {
            if (typeNode.isTextual() && DISK_TYPES.contains(typeNode.asText())) {
                type = typeNode.asText();
            } else {
                fields.error(path + ".type",
                        "type must be one of root, path or mount (all mean a local volume in Berth)");
            }
        }
        long size = size(node.get("size"), path + ".size");
        return fields.errorCount() > before ? null : new PersistentVolume(type, size);
    }

    private ExternalVolume external(JsonNode node, String path) {
        if (!node.isObject()) {
            fields.error(path, "external must be an object such as {\"name\": \"pgdata\", \"size\": 512, "
                    + "\"provider\": \"sharedfs\"}");
            return null;
        }
        int before = fields.errorCount();
        fields.at(path).unknownFields(node, EXTERNAL_FIELDS);
        JsonNode nameNode = node.get("name");
        String name = nameNode != null && nameNode.isTextual() ? nameNode.asText() : null;
        if (name == null || !EXTERNAL_NAME.matcher(name).matches()) {
            fields.error(path + ".name", "name is required: lowercase letters, digits, '.' and '-', at most 64, "
                    + "starting and ending with a letter or digit (each instance gets name-0, name-1, …)");
        }
        String provider = ExternalVolume.SHAREDFS;
        JsonNode providerNode = node.get("provider");
        if (providerNode != null && !providerNode.isNull()) {
            if (!providerNode.isTextual() || !EXTERNAL_PROVIDERS.contains(providerNode.asText())) {
                fields.error(path + ".provider", "provider '" + providerNode.asText()
                        + "' is not a Berth volume driver; Berth has " + EXTERNAL_PROVIDERS
                        + " (Marathon's dvdi/REX-Ray is not supported)");
            } else {
                provider = providerNode.asText();
            }
        }
        Map<String, String> options = new LinkedHashMap<>();
        JsonNode optionsNode = node.get("options");
        if (optionsNode != null && !optionsNode.isNull()) {
            if (!optionsNode.isObject()) {
                fields.error(path + ".options", "options must be an object of strings");
            } else {
                optionsNode.fields().forEachRemaining(e -> {
                    if (!e.getValue().isValueNode() || e.getValue().isNull()) {
                        fields.error(path + ".options." + e.getKey(), "option values must be strings");
                    } else {
                        options.put(e.getKey(), e.getValue().asText());
                    }
                });
            }
        }
        long size = size(node.get("size"), path + ".size");
        return fields.errorCount() > before ? null : new ExternalVolume(name, size, provider, options);
    }

    private long size(JsonNode node, String path) {
        if (node == null || !node.isIntegralNumber() || !node.canConvertToLong() || node.asLong() < 1
                || node.asLong() > MAX_VOLUME_MIB) {
            fields.error(path, "size is required: whole MiB from 1 to " + MAX_VOLUME_MIB);
            return 1;
        }
        return node.asLong();
    }
}
