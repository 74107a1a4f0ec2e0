package dev.mooring.image.cli;

import dev.mooring.image.build.Progress;
import dev.mooring.image.spec.ByteSize;
import java.io.PrintWriter;
import java.time.Duration;
import java.util.Locale;

/**
 * Renders build progress: on a terminal one live line per step (rewritten in place with the
 * latest detail and the elapsed time), elsewhere plain lines that read well in a CI log.
 */
final class ProgressDisplay implements Progress {

    private final PrintWriter out;
    private final boolean terminal;
    private final long started = System.nanoTime();
    private String prefix = "";

    ProgressDisplay(PrintWriter out, boolean terminal) {
        this.out = out;
        this.terminal = terminal;
    }

    @Override
    public synchronized void started(int index, int total, String step, String what) {
        prefix = "[" + index + "/" + total + "] " + step;
        if (terminal) {
            out.print("\r\033[K" + prefix + ": " + what + " " + elapsed());
        } else {
            out.println(prefix + ": " + what);
        }
        out.flush();
    }

    @Override
    public synchronized void detail(String step, String text) {
        if (terminal) {
            String line = prefix + ": " + text;
            out.print("\r\033[K" + (line.length() > 100 ? line.substring(0, 100) : line) + " " + elapsed());
            out.flush();
        } else {
            out.println("  " + step + ": " + text);
            out.flush();
        }
    }

    @Override
    public synchronized void finished(String step, Duration took, long bytes, String summary) {
        String line = prefix + ": done in " + seconds(took) + (bytes > 0 ? ", " + ByteSize.format(bytes) : "")
                + (summary.isEmpty() ? "" : " (" + summary + ")") + "  [" + elapsed() + " total]";
        out.println(terminal ? "\r\033[K" + line : line);
        out.flush();
    }

    private String elapsed() {
        return seconds(Duration.ofNanos(System.nanoTime() - started));
    }

    private static String seconds(Duration d) {
        return String.format(Locale.ROOT, "%.1fs", d.toMillis() / 1000.0);
    }
}
