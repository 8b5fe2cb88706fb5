package dev.berth.agent.image;

import java.io.IOException;
import java.nio.file.Path;
import java.util.List;

/**
 * The two marks of an unpacked layer that overlayfs reads and Java cannot write: whiteouts (character
 * devices 0/0, for files the layer deletes) and opaque directories (xattr {@code trusted.overlay.opaque=y},
 * for directories the layer replaces whole). An interface so the unpacker stays plain Java and testable;
 * the agent's implementation is {@link ConfineLayerMarks}.
 */
public interface LayerMarks {
    /** Makes a whiteout at each path (none exists there yet); called once per layer, only with paths. */
    void whiteouts(List<Path> paths) throws IOException;

    /** Marks each directory opaque; called once per layer, only with directories. */
    void opaque(List<Path> dirs) throws IOException;
}
