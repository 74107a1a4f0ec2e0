package dev.mooring.overlay.membership;

/** A datagram that {@link AnnouncementCodec} refuses to read, with the reason it is dropped. */
public final class AnnouncementFormatException extends Exception {

    private final DropReason reason;

    public AnnouncementFormatException(DropReason reason, String message) {
        super(message, null, false, false);
        this.reason = reason;
    }

    public DropReason reason() {
        return reason;
    }
}
