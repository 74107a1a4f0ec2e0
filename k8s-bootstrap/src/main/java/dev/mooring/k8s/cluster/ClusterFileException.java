package dev.mooring.k8s.cluster;

import java.nio.file.Path;

/**
 * A {@code cluster.yaml} that cannot be used: the message names the file, the line and column
 * (1-based, when there is a position), what is wrong and what to write instead.
 */
public final class ClusterFileException extends Exception {

    public ClusterFileException(Path file, int line, int column, String message) {
        super(file + ":" + line + ":" + column + ": " + message);
    }

    public ClusterFileException(Path file, String message) {
        super(file + ": " + message);
    }
}
