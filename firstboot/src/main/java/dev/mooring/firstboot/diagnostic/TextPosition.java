package dev.mooring.firstboot.diagnostic;

/** A 1-based line and column in a text. */
public record TextPosition(int line, int column) {

    /** The position of the character at {@code index} (0-based) in {@code text}. */
    public static TextPosition of(CharSequence text, int index) {
        int line = 1;
        int column = 1;
        for (int i = 0; i < Math.min(index, text.length()); i++) {
            if (text.charAt(i) == '\n') {
                line++;
                column = 1;
            } else {
                column++;
            }
        }
        return new TextPosition(line, column);
    }
}
