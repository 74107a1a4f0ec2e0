package dev.mooring.firstboot.userdata;

import dev.mooring.firstboot.diagnostic.Diagnostic;
import java.util.List;
import java.util.Optional;

/**
 * The outcome of validating one file: the typed user-data when there is no error, and every
 * diagnostic (errors and warnings) sorted by position.
 */
public record Validation(String file, Optional<UserData> userData, List<Diagnostic> diagnostics) {

    public Validation {
        diagnostics = List.copyOf(diagnostics);
        boolean hasErrors = diagnostics.stream().anyMatch(Diagnostic::isError);
        if (hasErrors == userData.isPresent()) {
            throw new IllegalArgumentException("userData: present exactly when there is no error, got "
                    + (userData.isPresent() ? "user-data with errors" : "no user-data and no error"));
        }
    }

    public boolean isValid() {
        return userData.isPresent();
    }

    public List<Diagnostic> errors() {
        return diagnostics.stream().filter(Diagnostic::isError).toList();
    }

    public List<Diagnostic> warnings() {
        return diagnostics.stream().filter(d -> !d.isError()).toList();
    }
}
