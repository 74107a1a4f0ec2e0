package dev.mooring.firstboot.diagnostic;

/**
 * Where a piece of text came from, so positions inside it map back to what the user edits: a MIME
 * part that is not encoded starts {@code lineOffset} lines into its archive file.
 *
 * @param name       the file name shown in diagnostics
 * @param lineOffset lines before the text's first line in that file
 */
public record Source(String name, int lineOffset) {

    public static Source file(String name) {
        return new Source(name, 0);
    }
}
