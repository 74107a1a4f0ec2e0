package dev.mooring.overlay.reconcile;

/**
 * The underlay does not allow the overlay as configured: the selected interface does not exist,
 * or the overlay CIDR overlaps a network the host already uses. The message says which, lists
 * what exists and what to change; nothing has been changed on the kernel.
 */
public final class UnderlayException extends Exception {
    public UnderlayException(String message) {
        super(message);
    }
}
