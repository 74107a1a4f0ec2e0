package dev.mooring.image.build;

/**
 * A build failed for a reason the user can act on: {@link #getMessage()} says what is wrong,
 * {@link #hint()} what to do. Nothing was written under a final output name.
 */
public class BuildException extends Exception {

    private final String hint;

    public BuildException(String message, String hint) {
        super(message);
        this.hint = hint;
    }

    public BuildException(String message, String hint, Throwable cause) {
        super(message, cause);
        this.hint = hint;
    }

    public String hint() {
        return hint;
    }
}
