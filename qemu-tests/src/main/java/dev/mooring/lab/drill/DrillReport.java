package dev.mooring.lab.drill;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/** What a drill saw: per node addresses, a timeline, pass/fail per check and the measured figures. */
public final class DrillReport {
    /** One check: a name, whether it held, and what was seen. */
    public record Check(String name, boolean passed, String detail) {}

    /** Something that happened, relative to the drill's start. */
    public record Event(Instant at, String node, String what) {}

    /** One machine's addresses before and after the network restart. */
    public record Node(String name, String mac, Optional<String> underlayBefore, Optional<String> underlayAfter,
                       Optional<String> overlayBefore, Optional<String> overlayAfter, Optional<Duration> bootToOverlayReady) {}

    private final String scenario;
    private final Instant started;
    private final List<Check> checks = new ArrayList<>();
    private final List<Event> timeline = new ArrayList<>();
    private final Map<String, Node> nodes = new LinkedHashMap<>();
    private final Map<String, Duration> figures = new LinkedHashMap<>();
    private Duration total;
    private Optional<String> aborted = Optional.empty();

    public DrillReport(String scenario, Instant started) {
        this.scenario = scenario;
        this.started = started;
    }

    public synchronized void check(String name, boolean passed, String detail) {
        checks.add(new Check(name, passed, detail));
        event("-", (passed ? "PASS " : "FAIL ") + name + (detail.isBlank() ? "" : ": " + detail));
    }

    public synchronized void event(String node, String what) {
        timeline.add(new Event(Instant.now(), node, what));
    }

    public synchronized void node(Node node) {
        nodes.put(node.name(), node);
    }

    public synchronized void figure(String name, Duration value) {
        figures.put(name, value);
    }

    public synchronized void abort(String why) {
        aborted = Optional.of(why);
        event("-", "ABORTED " + why);
    }

    public synchronized void finish() {
        total = Duration.between(started, Instant.now());
        figures.put("drill-total", total);
    }

    public synchronized boolean passed() {
        return aborted.isEmpty() && !checks.isEmpty() && checks.stream().allMatch(Check::passed);
    }

    public synchronized List<Check> checks() {
        return List.copyOf(checks);
    }

    public synchronized Optional<Check> check(String name) {
        return checks.stream().filter(c -> c.name().equals(name)).findFirst();
    }

    public synchronized Map<String, Node> nodes() {
        return Map.copyOf(nodes);
    }

    public synchronized Map<String, Duration> figures() {
        return Map.copyOf(figures);
    }

    public synchronized Optional<String> aborted() {
        return aborted;
    }

    public synchronized String toText() {
        StringBuilder out = new StringBuilder();
        out.append("drill ").append(scenario).append(": ").append(passed() ? "PASSED" : "FAILED").append('\n');
        aborted.ifPresent(a -> out.append("aborted: ").append(a).append('\n'));
        out.append("\naddresses\n");
        out.append(String.format("  %-8s %-18s %-16s %-16s %-16s %-16s %s%n", "node", "mac", "underlay before", "underlay after", "overlay before", "overlay after", "boot→overlay ready"));
        for (Node n : nodes.values()) {
            out.append(String.format("  %-8s %-18s %-16s %-16s %-16s %-16s %s%n", n.name(), n.mac(), n.underlayBefore().orElse("-"),
                    n.underlayAfter().orElse("-"), n.overlayBefore().orElse("-"), n.overlayAfter().orElse("-"),
                    n.bootToOverlayReady().map(DrillReport::seconds).orElse("-")));
        }
        out.append("\ntimeline\n");
        for (Event e : timeline) {
            out.append(String.format("  %9s  %-8s %s%n", "+" + seconds(Duration.between(started, e.at())), e.node(), e.what()));
        }
        out.append("\nchecks\n");
        for (Check c : checks) {
            out.append("  ").append(c.passed() ? "PASS " : "FAIL ").append(c.name()).append(c.detail().isBlank() ? "" : "  (" + c.detail() + ")").append('\n');
        }
        out.append("\nfigures\n");
        figures.forEach((k, v) -> out.append(String.format("  %-40s %s%n", k, seconds(v))));
        return out.toString();
    }

    public synchronized String toJson() {
        ObjectMapper json = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);
        ObjectNode root = json.createObjectNode();
        root.put("scenario", scenario).put("passed", passed()).put("started", started.toString());
        root.put("totalMillis", total == null ? null : total.toMillis());
        aborted.ifPresent(a -> root.put("aborted", a));
        ArrayNode ns = root.putArray("nodes");
        for (Node n : nodes.values()) {
            ObjectNode o = ns.addObject().put("name", n.name()).put("mac", n.mac());
            o.put("underlayBefore", n.underlayBefore().orElse(null)).put("underlayAfter", n.underlayAfter().orElse(null));
            o.put("overlayBefore", n.overlayBefore().orElse(null)).put("overlayAfter", n.overlayAfter().orElse(null));
            o.put("bootToOverlayReadyMillis", n.bootToOverlayReady().map(Duration::toMillis).orElse(null));
        }
        ArrayNode tl = root.putArray("timeline");
        timeline.forEach(e -> tl.addObject().put("at", e.at().toString()).put("offsetMillis", Duration.between(started, e.at()).toMillis())
                .put("node", e.node()).put("event", e.what()));
        ArrayNode cs = root.putArray("checks");
        checks.forEach(c -> cs.addObject().put("name", c.name()).put("passed", c.passed()).put("detail", c.detail()));
        ObjectNode fs = root.putObject("figures");
        figures.forEach((k, v) -> fs.put(k + "Millis", v.toMillis()));
        try {
            return json.writeValueAsString(root);
        } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
    }

    static String seconds(Duration d) {
        return String.format("%d.%03ds", d.toSeconds(), d.toMillisPart());
    }
}
