package dev.mooring.lab.drill;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.mooring.lab.ExecResult;
import dev.mooring.lab.LabMachine;
import dev.mooring.lab.LabTimeoutException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * What the drill asks inside a guest, through its command channel: the overlay status file, pings,
 * and etcd over its HTTP/JSON gateway on 127.0.0.1:2379 (bash's /dev/tcp: the image needs no curl
 * or etcdctl).
 */
final class GuestProbe {
    private static final ObjectMapper JSON = new ObjectMapper();
    /**
     * How long one probe may take. Under TCG on a loaded host a guest busy starting etcd or a JVM
     * has been seen to take more than 30 s to answer {@code systemctl is-active}.
     */
    static final Duration SHORT = Duration.ofSeconds(90);

    /** A POST to etcd's gateway; prints the response body. */
    private static final String ETCD_POST = """
            cat > /tmp/mooring-lab-etcd.sh <<'MR'
            exec 3<>/dev/tcp/127.0.0.1/2379 || exit 7
            printf 'POST %%s HTTP/1.0\\r\\nHost: 127.0.0.1\\r\\nContent-Type: application/json\\r\\nContent-Length: %%d\\r\\n\\r\\n%%s' "$1" "${#2}" "$2" >&3
            timeout "$3" cat <&3
            MR
            bash /tmp/mooring-lab-etcd.sh '%s' '%s' %d
            """;

    private GuestProbe() {}

    /**
     * Runs a probe; empty when the guest did not answer in time. A slow answer is a failed probe that
     * the caller's polling retries, never the end of the drill.
     */
    static Optional<ExecResult> tryExec(LabMachine m, String command, Duration timeout) throws InterruptedException {
        try {
            return Optional.of(m.exec(command, timeout));
        } catch (LabTimeoutException slow) {
            return Optional.empty();
        }
    }

    /** {@code /run/mooring/overlay.json}, when it exists and parses. */
    static Optional<JsonNode> overlayStatus(LabMachine m) throws InterruptedException {
        ExecResult r = tryExec(m, "cat /run/mooring/overlay.json", SHORT).orElse(null);
        if (r == null || !r.succeeded()) {
            return Optional.empty();
        }
        try {
            return Optional.of(JSON.readTree(r.output()));
        } catch (java.io.IOException e) {
            return Optional.empty();
        }
    }

    /** Pings every target once (2 s each, in parallel in the guest); returns those that did not answer. */
    static List<String> unreachable(LabMachine m, List<String> targets) throws InterruptedException {
        StringBuilder script = new StringBuilder();
        for (String t : targets) {
            script.append("( ping -c 1 -W 2 ").append(t).append(" >/dev/null 2>&1 || echo ").append(t).append(" ) &\n");
        }
        script.append("wait\n");
        Optional<ExecResult> answer = tryExec(m, script.toString(), SHORT);
        if (answer.isEmpty()) {
            return List.copyOf(targets);
        }
        ExecResult r = answer.get();
        List<String> failed = new ArrayList<>();
        for (String line : r.output().split("\n")) {
            if (!line.isBlank()) {
                failed.add(line.strip());
            }
        }
        return failed;
    }

    /** etcd's view from this node: healthy (a leader, the local member serving) and the member names. */
    record Etcd(boolean healthy, List<String> members, String detail) {}

    static Etcd etcd(LabMachine m) throws InterruptedException {
        Optional<JsonNode> members = post(m, "/v3/cluster/member/list", "{}", 5);
        // A linearizable read needs a leader and a quorum: the honest test of "healthy".
        Optional<JsonNode> read = post(m, "/v3/kv/range", "{\"key\":\"" + b64("mooring-lab-health") + "\"}", 5);
        List<String> names = new ArrayList<>();
        members.ifPresent(j -> j.path("members").forEach(x -> names.add(x.path("name").asText())));
        boolean healthy = read.map(j -> j.has("header") && !j.has("error")).orElse(false);
        return new Etcd(healthy, names, read.map(JsonNode::toString).orElse("no answer from etcd on 127.0.0.1:2379"));
    }

    /** Puts {@code key=value}; the revision when etcd acknowledged it. */
    static Optional<Long> put(LabMachine m, String key, String value) throws InterruptedException {
        return post(m, "/v3/kv/put", "{\"key\":\"" + b64(key) + "\",\"value\":\"" + b64(value) + "\"}", 5)
                .filter(j -> j.has("header") && !j.has("error"))
                .map(j -> j.path("header").path("revision").asLong());
    }

    /**
     * Linearizable reads of many keys in one round trip through the command channel (one probe per
     * key costs seconds each under TCG). Only keys etcd answered for are in the map: empty when etcd
     * said the key does not exist; missing when there was no answer (a slow guest, no quorum yet).
     */
    static Map<String, Optional<String>> getAll(LabMachine m, List<String> keys) throws InterruptedException {
        StringBuilder script = new StringBuilder();
        for (String key : keys) {
            script.append(ETCD_POST.formatted("/v3/kv/range", "{\"key\":\"" + b64(key) + "\"}", 5)).append("echo\necho ").append(KEY_END).append('\n');
        }
        Map<String, Optional<String>> values = new LinkedHashMap<>();
        Optional<ExecResult> answer = tryExec(m, script.toString(), Duration.ofSeconds(60 + 6L * keys.size()));
        if (answer.isEmpty()) {
            return values;
        }
        String[] parts = answer.get().output().split(KEY_END, -1);
        for (int i = 0; i < keys.size() && i < parts.length; i++) {
            String key = keys.get(i);
            value(parts[i]).ifPresent(v -> values.put(key, v));
        }
        return values;
    }

    private static final String KEY_END = "@@MR-KEY-END@@";

    /** The value of one range response: empty when there was no answer, of empty when etcd has no such key. */
    private static Optional<Optional<String>> value(String response) {
        int start = response.indexOf('{');
        if (start < 0) {
            return Optional.empty();
        }
        try {
            JsonNode answer = JSON.readTree(response.substring(start));
            if (!answer.has("header") || answer.has("error")) {
                return Optional.empty();
            }
            JsonNode kvs = answer.path("kvs");
            return Optional.of(kvs.isArray() && !kvs.isEmpty()
                    ? Optional.of(new String(Base64.getDecoder().decode(kvs.get(0).path("value").asText()), StandardCharsets.UTF_8))
                    : Optional.empty());
        } catch (java.io.IOException e) {
            return Optional.empty();
        }
    }

    private static Optional<JsonNode> post(LabMachine m, String path, String body, int seconds) throws InterruptedException {
        Optional<ExecResult> answer = tryExec(m, ETCD_POST.formatted(path, body, seconds), Duration.ofSeconds(seconds + 60));
        if (answer.isEmpty()) {
            return Optional.empty();
        }
        ExecResult r = answer.get();
        int start = r.output().indexOf('{');
        if (start < 0) {
            return Optional.empty();
        }
        try {
            return Optional.of(JSON.readTree(r.output().substring(start)));
        } catch (java.io.IOException e) {
            return Optional.empty();
        }
    }

    private static String b64(String text) {
        return Base64.getEncoder().encodeToString(text.getBytes(StandardCharsets.UTF_8));
    }
}
