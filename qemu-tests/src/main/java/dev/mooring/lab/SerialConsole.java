package dev.mooring.lab;

import java.io.BufferedWriter;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.regex.Pattern;

/**
 * The guest's first serial port (ttyS0), read from QEMU's stdout by one thread: every line is
 * stamped with the time it arrived and appended to {@code console.log} as {@code [  12.345] text}.
 */
public final class SerialConsole {
    private final long startNanos;
    private final Instant start;
    private final List<ConsoleLine> lines = new ArrayList<>();
    private final Path log;
    private volatile boolean ended;

    SerialConsole(Instant start, long startNanos, Path log) {
        this.start = start;
        this.startNanos = startNanos;
        this.log = log;
    }

    void follow(InputStream in, String machine) {
        Thread.ofPlatform().daemon().name("console-" + machine).start(() -> {
            // Appended: a machine powered on again continues the same console.log.
            try (in; BufferedWriter out = Files.newBufferedWriter(log, StandardCharsets.UTF_8,
                    StandardOpenOption.CREATE, StandardOpenOption.APPEND)) {
                ByteArrayOutputStream line = new ByteArrayOutputStream();
                int b;
                while ((b = in.read()) >= 0) {
                    if (b == '\n') {
                        add(line, out);
                    } else if (b != '\r') {
                        line.write(b);
                    }
                }
                if (line.size() > 0) {
                    add(line, out);
                }
            } catch (IOException e) {
                // QEMU went away: the console ends here.
            } finally {
                ended = true;
            }
        });
    }

    private void add(ByteArrayOutputStream bytes, BufferedWriter out) throws IOException {
        // Strip terminal escapes (colours, cursor moves) so patterns match the text people see.
        String text = bytes.toString(StandardCharsets.UTF_8).replaceAll("\u001B\\[[0-9;?]*[A-Za-z]", "");
        bytes.reset();
        long now = System.nanoTime();
        ConsoleLine line = new ConsoleLine(start.plusNanos(now - startNanos), Duration.ofNanos(now - startNanos), text);
        synchronized (this) {
            lines.add(line);
        }
        out.write(line.toString());
        out.newLine();
        out.flush();
    }

    /** The lines so far. */
    public synchronized List<ConsoleLine> lines() {
        return List.copyOf(lines);
    }

    /** The first line from index {@code from} on that matches {@code pattern} (find, not full match). */
    public synchronized Optional<ConsoleLine> find(Pattern pattern, int from) {
        for (int i = Math.max(0, from); i < lines.size(); i++) {
            if (pattern.matcher(lines.get(i).text()).find()) {
                return Optional.of(lines.get(i));
            }
        }
        return Optional.empty();
    }

    public synchronized int size() {
        return lines.size();
    }

    /** Waits for a line matching {@code regex} at index {@code from} or later. */
    public ConsoleLine await(String regex, int from, Duration timeout) throws InterruptedException {
        Pattern pattern = Pattern.compile(regex);
        return Poll.until(timeout, "console line /" + regex + "/", () -> {
            Optional<ConsoleLine> line = find(pattern, from);
            if (line.isEmpty() && ended) {
                throw new LabException("the console ended (QEMU exited)");
            }
            return line;
        }, () -> tail(30));
    }

    /** The last {@code n} lines, for failure messages. */
    public synchronized String tail(int n) {
        StringBuilder text = new StringBuilder("console (" + log + "), last lines:\n");
        lines.subList(Math.max(0, lines.size() - n), lines.size()).forEach(l -> text.append("  ").append(l).append('\n'));
        return text.toString();
    }

    public Path log() {
        return log;
    }

    public boolean ended() {
        return ended;
    }
}
