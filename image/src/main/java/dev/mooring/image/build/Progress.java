package dev.mooring.image.build;

import java.time.Duration;

/**
 * Build events, rendered by the command line (a live line on a terminal, plain lines elsewhere).
 * The pipeline publishes; it never prints.
 */
public interface Progress {

    /** A step starts: {@code index} of {@code total}, 1-based. */
    void started(int index, int total, String step, String what);

    /** Something the step produced or measured, e.g. bytes written so far. */
    void detail(String step, String text);

    void finished(String step, Duration took, long bytes, String summary);

    static Progress silent() {
        return new Progress() {
            @Override
            public void started(int index, int total, String step, String what) {
            }

            @Override
            public void detail(String step, String text) {
            }

            @Override
            public void finished(String step, Duration took, long bytes, String summary) {
            }
        };
    }
}
