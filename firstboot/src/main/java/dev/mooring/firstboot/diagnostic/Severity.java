package dev.mooring.firstboot.diagnostic;

/** How bad a finding is: an error makes the user-data invalid, a warning does not. */
public enum Severity {
    ERROR,
    WARNING;

    /** The lower-case word the text and JSON reports use. */
    public String label() {
        return name().toLowerCase(java.util.Locale.ROOT);
    }
}
