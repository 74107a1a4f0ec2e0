package dev.mooring.lab.qmp;

/** QEMU answered a QMP or guest-agent command with an error, or with something unexpected. */
public final class QmpException extends java.io.IOException {
    public QmpException(String message) {
        super(message);
    }
}
