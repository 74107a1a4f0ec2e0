package dev.mooring.lab;

import java.time.Duration;
import java.time.Instant;

/**
 * One line the guest wrote to its serial console.
 *
 * @param at      when the lab read it (wall clock)
 * @param elapsed since QEMU was started
 */
public record ConsoleLine(Instant at, Duration elapsed, String text) {
    /** {@code [  12.345] text}: the log file's format. */
    @Override
    public String toString() {
        return "[%4d.%03d] %s".formatted(elapsed.toSeconds(), elapsed.toMillisPart(), text);
    }
}
