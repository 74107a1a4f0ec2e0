package dev.mooring.lab;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The lab shell's line protocol on ttyS1 (docs/lab.md), without I/O.
 * <pre>
 * host  → guest: MR-EXEC &lt;id&gt; &lt;timeout seconds&gt; &lt;base64 of the script&gt;
 * guest → host : @@MR-READY@@                     (when the loop starts)
 *                @@MR-BEGIN &lt;id&gt;@@
 *                base64 of stdout+stderr, any line width
 *                @@MR-END &lt;id&gt; &lt;exit code&gt;@@
 * </pre>
 * Everything else on the line is ignored, so a stale answer, an echo of a request sent before the
 * loop set the tty to raw, or kernel noise never counts as an answer.
 */
public final class ShellProtocol {
    static final String READY = "@@MR-READY@@";
    private static final Pattern BEGIN = Pattern.compile("@@MR-BEGIN (\\S+)@@");
    private static final Pattern END = Pattern.compile("@@MR-END (\\S+) (\\d+)@@");

    private ShellProtocol() {}

    static String request(String id, Duration timeout, String script) {
        if (!id.matches("[A-Za-z0-9-]+")) {
            throw new IllegalArgumentException("id: expected letters, digits and '-', got " + id);
        }
        long seconds = Math.max(1, (timeout.toMillis() + 999) / 1000);
        return "MR-EXEC " + id + " " + seconds + " "
                + Base64.getEncoder().encodeToString(script.getBytes(StandardCharsets.UTF_8)) + "\n";
    }

    /** Collects one answer from the lines the guest sends. */
    static final class Answer {
        private final String id;
        private final String command;
        private boolean begun;
        private final List<String> body = new ArrayList<>();

        Answer(String id, String command) {
            this.id = id;
            this.command = command;
        }

        /** Feeds one line; returns the result once the END line for this id has come. */
        Optional<ExecResult> accept(String line) {
            Matcher begin = BEGIN.matcher(line);
            if (begin.find()) {
                if (begin.group(1).equals(id)) {
                    begun = true;
                    body.clear();
                }
                return Optional.empty();
            }
            Matcher end = END.matcher(line);
            if (end.find()) {
                if (begun && end.group(1).equals(id)) {
                    String base64 = String.join("", body).replaceAll("\\s", "");
                    String output;
                    try {
                        output = new String(Base64.getDecoder().decode(base64), StandardCharsets.UTF_8);
                    } catch (IllegalArgumentException e) {
                        throw new LabException("the lab shell's answer to '" + command + "' is not base64: " + base64);
                    }
                    return Optional.of(new ExecResult(command, Integer.parseInt(end.group(2)), output));
                }
                return Optional.empty();
            }
            if (begun) {
                body.add(line.strip());
            }
            return Optional.empty();
        }
    }

    /**
     * The guest side, for images: reads requests on {@code $1} (default /dev/ttyS1) and answers
     * there. It needs sh, stty, base64 and timeout (busybox or coreutils).
     */
    public static final String GUEST_SCRIPT = """
            #!/bin/sh
            # Mooring lab shell: runs the lab's commands from the second serial port (docs/lab.md).
            # Only for lab images: it is a root shell for whoever holds the port.
            tty="${1:-/dev/ttyS1}"
            work="${TMPDIR:-/tmp}/mooring-lab-shell"
            mkdir -p "$work"
            stty -F "$tty" raw -echo 115200 2>/dev/null
            exec <"$tty" >"$tty" 2>/dev/null
            echo "@@MR-READY@@"
            while IFS= read -r line; do
              set -- $line
              [ "$1" = MR-EXEC ] && [ $# -eq 4 ] || continue
              printf '%s' "$4" | base64 -d > "$work/cmd" 2>/dev/null || continue
              printf '@@MR-BEGIN %s@@\\n' "$2"
              timeout "$3" sh "$work/cmd" > "$work/out" 2>&1 </dev/null
              rc=$?
              base64 < "$work/out"
              printf '@@MR-END %s %s@@\\n' "$2" "$rc"
            done
            """;
}
