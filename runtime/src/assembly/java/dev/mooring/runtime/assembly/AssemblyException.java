package dev.mooring.runtime.assembly;

/** A step of the runtime assembly failed; the message says which and what to check. */
final class AssemblyException extends RuntimeException {

    AssemblyException(String message) {
        super(message);
    }

    AssemblyException(String message, Throwable cause) {
        super(message + " (" + cause.getClass().getSimpleName() + ": " + cause.getMessage() + ")", cause);
    }
}
