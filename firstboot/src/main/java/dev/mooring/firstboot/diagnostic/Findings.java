package dev.mooring.firstboot.diagnostic;

import java.util.ArrayList;
import java.util.List;

/**
 * Collects the diagnostics about one source. Positions are given as they are inside the source
 * text (1-based); the source's line offset is added here.
 */
public final class Findings {

    private final Source source;
    private final List<Diagnostic> diagnostics;

    public Findings(Source source) {
        this(source, new ArrayList<>());
    }

    private Findings(Source source, List<Diagnostic> shared) {
        this.source = source;
        this.diagnostics = shared;
    }

    /** Findings about another source (a MIME part) that land in the same list. */
    public Findings forSource(Source other) {
        return new Findings(other, diagnostics);
    }

    public Source source() {
        return source;
    }

    public void error(int line, int column, String message, String hint) {
        add(Severity.ERROR, line, column, message, hint);
    }

    public void warning(int line, int column, String message, String hint) {
        add(Severity.WARNING, line, column, message, hint);
    }

    /** A finding about the whole source, with no position (e.g. it cannot be read). */
    public void fileError(String message, String hint) {
        diagnostics.add(new Diagnostic(Severity.ERROR, source.name(), 0, 0, message, hint));
    }

    private void add(Severity severity, int line, int column, String message, String hint) {
        diagnostics.add(new Diagnostic(severity, source.name(), line + source.lineOffset(), column, message, hint));
    }

    public boolean hasErrors() {
        return diagnostics.stream().anyMatch(Diagnostic::isError);
    }

    public int errorCount() {
        return (int) diagnostics.stream().filter(Diagnostic::isError).count();
    }

    /** Everything found so far, sorted by file and position. */
    public List<Diagnostic> sorted() {
        return diagnostics.stream().sorted(Diagnostic.BY_POSITION).toList();
    }
}
