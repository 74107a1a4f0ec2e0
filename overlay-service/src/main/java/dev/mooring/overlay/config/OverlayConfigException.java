package dev.mooring.overlay.config;

import java.nio.file.Path;
import java.util.List;
import java.util.stream.Collectors;

/**
 * overlay.yaml cannot be used. Every problem names the file, line and column, the key, what is
 * wrong and what to write instead; the message lists them one per line.
 */
public final class OverlayConfigException extends Exception {

    /**
     * One thing wrong in the file.
     *
     * @param line   1-based, 0 when the problem has no position (e.g. the file is unreadable)
     * @param column 1-based, 0 when unknown
     * @param key    the dotted key ({@code overlay.vip}, {@code peers[1].address}), empty for the file
     */
    public record Problem(Path file, int line, int column, String key, String message) {
        @Override
        public String toString() {
            String where = line > 0 ? file + ":" + line + ":" + column : file.toString();
            return where + ": " + (key.isEmpty() ? "" : key + ": ") + message;
        }
    }

    private final List<Problem> problems;

    public OverlayConfigException(List<Problem> problems) {
        super(problems.stream().map(Problem::toString).collect(Collectors.joining("\n")));
        this.problems = List.copyOf(problems);
    }

    public List<Problem> problems() {
        return problems;
    }
}
