package dev.mooring.firstboot.diagnostic;

import java.util.Comparator;
import java.util.Objects;

/**
 * One finding about user-data: where it is, what is wrong and what to do about it.
 *
 * @param file    the file as the user named it; a MIME part that was encoded adds {@code [part N]}
 * @param line    1-based line, 0 when the finding is about the whole file (e.g. it cannot be read)
 * @param column  1-based column, 0 with line 0
 * @param message what is wrong
 * @param hint    what to do about it
 */
public record Diagnostic(Severity severity, String file, int line, int column, String message, String hint) {

    /** File, then position, then errors before warnings: the order a reader scans a file. */
    public static final Comparator<Diagnostic> BY_POSITION = Comparator.comparing(Diagnostic::file)
            .thenComparingInt(Diagnostic::line)
            .thenComparingInt(Diagnostic::column)
            .thenComparing(Diagnostic::severity);

    public Diagnostic {
        Objects.requireNonNull(severity, "severity");
        Objects.requireNonNull(file, "file");
        Objects.requireNonNull(message, "message");
        Objects.requireNonNull(hint, "hint");
        if (line < 0 || column < 0 || (line == 0) != (column == 0)) {
            throw new IllegalArgumentException("line/column: expected both 0 or both positive, got " + line + ":" + column);
        }
    }

    public boolean isError() {
        return severity == Severity.ERROR;
    }

    /** {@code file:line:column}, or just the file when the finding has no position. */
    public String location() {
        return line == 0 ? file : file + ":" + line + ":" + column;
    }

    /** Compiler style: {@code user-data.yaml:12:5: error: ...}. */
    @Override
    public String toString() {
        return location() + ": " + severity.label() + ": " + message;
    }
}
