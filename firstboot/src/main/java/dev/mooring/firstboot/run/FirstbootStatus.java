package dev.mooring.firstboot.run;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.mooring.firstboot.apply.StepResult;
import dev.mooring.firstboot.diagnostic.Diagnostic;
import dev.mooring.firstboot.diagnostic.Severity;
import java.io.IOException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.OptionalInt;

/**
 * The result of one {@code mooring firstboot run}, as {@code /run/mooring/firstboot.json} holds it
 * (docs/firstboot.md has the format).
 */
public record FirstbootStatus(State state, Optional<String> instanceId, Optional<String> datasource, Optional<String> location,
                              boolean newInstance, Instant started, Instant finished, List<StepResult> steps,
                              List<Diagnostic> errors, List<Diagnostic> warnings, List<String> notes, Registration registration) {

    public static final String PATH = "/run/mooring/firstboot.json";
    public static final int FORMAT = 1;
    private static final ObjectMapper JSON = new ObjectMapper();

    public FirstbootStatus {
        steps = List.copyOf(steps);
        errors = List.copyOf(errors);
        warnings = List.copyOf(warnings);
        notes = List.copyOf(notes);
    }

    public enum State {
        OK, FAILED, PENDING_REGISTRATION;

        public String label() {
            return name().toLowerCase(java.util.Locale.ROOT).replace('_', '-');
        }

        static State parse(String label) {
            return valueOf(label.toUpperCase(java.util.Locale.ROOT).replace('-', '_'));
        }
    }

    /** Registration's part: {@code not-configured}, {@code registered}, {@code pending} or {@code failed}. */
    public record Registration(String state, Optional<String> hostId, Optional<String> address, int attempts, Optional<String> lastError) {
        public static final Registration NOT_CONFIGURED = new Registration("not-configured", Optional.empty(), Optional.empty(), 0, Optional.empty());
    }

    public byte[] toJson() {
        ObjectNode root = JSON.createObjectNode().put("version", FORMAT).put("state", state.label());
        instanceId.ifPresentOrElse(i -> root.put("instanceId", i), () -> root.putNull("instanceId"));
        datasource.ifPresentOrElse(d -> root.put("datasource", d), () -> root.putNull("datasource"));
        location.ifPresent(l -> root.put("location", l));
        root.put("newInstance", newInstance).put("started", started.toString()).put("finished", finished.toString())
                .put("durationMs", finished.toEpochMilli() - started.toEpochMilli());
        ArrayNode s = root.putArray("steps");
        for (StepResult r : steps) {
            ObjectNode o = s.addObject().put("id", r.id()).put("module", r.module()).put("outcome", r.outcome().label());
            r.exitCode().ifPresent(c -> o.put("exitCode", c));
            o.put("detail", r.detail());
        }
        diagnostics(root.putArray("errors"), errors);
        diagnostics(root.putArray("warnings"), warnings);
        notes.forEach(root.putArray("notes")::add);
        ObjectNode reg = root.putObject("registration").put("state", registration.state());
        registration.hostId().ifPresent(h -> reg.put("hostId", h));
        registration.address().ifPresent(a -> reg.put("address", a));
        reg.put("attempts", registration.attempts());
        registration.lastError().ifPresent(e -> reg.put("lastError", e));
        try {
            return JSON.writerWithDefaultPrettyPrinter().writeValueAsBytes(root);
        } catch (IOException e) {
            throw new IllegalStateException("a status always encodes", e);
        }
    }

    private static void diagnostics(ArrayNode out, List<Diagnostic> list) {
        for (Diagnostic d : list) {
            out.addObject().put("severity", d.severity().label()).put("file", d.file()).put("line", d.line()).put("column", d.column())
                    .put("message", d.message()).put("hint", d.hint());
        }
    }

    public static FirstbootStatus fromJson(byte[] bytes) throws IOException {
        JsonNode root = JSON.readTree(bytes);
        if (root == null || root.path("version").asInt() != FORMAT) {
            throw new IOException("the status has version " + (root == null ? "none" : root.path("version")) + "; this mooring reads " + FORMAT);
        }
        List<StepResult> steps = new ArrayList<>();
        for (JsonNode s : root.path("steps")) {
            steps.add(new StepResult(s.path("id").asText(), s.path("module").asText(),
                    StepResult.Outcome.valueOf(s.path("outcome").asText().toUpperCase(java.util.Locale.ROOT).replace('-', '_')),
                    s.has("exitCode") ? OptionalInt.of(s.path("exitCode").asInt()) : OptionalInt.empty(), s.path("detail").asText()));
        }
        List<String> notes = new ArrayList<>();
        root.path("notes").forEach(n -> notes.add(n.asText()));
        JsonNode reg = root.path("registration");
        return new FirstbootStatus(State.parse(root.path("state").asText()), optional(root, "instanceId"), optional(root, "datasource"),
                optional(root, "location"), root.path("newInstance").asBoolean(), Instant.parse(root.path("started").asText()),
                Instant.parse(root.path("finished").asText()), steps, readDiagnostics(root.path("errors")),
                readDiagnostics(root.path("warnings")), notes,
                new Registration(reg.path("state").asText("not-configured"), optional(reg, "hostId"), optional(reg, "address"),
                        reg.path("attempts").asInt(), optional(reg, "lastError")));
    }

    private static Optional<String> optional(JsonNode node, String field) {
        JsonNode v = node.get(field);
        return v == null || v.isNull() ? Optional.empty() : Optional.of(v.asText());
    }

    private static List<Diagnostic> readDiagnostics(JsonNode array) {
        List<Diagnostic> out = new ArrayList<>();
        for (JsonNode d : array) {
            out.add(new Diagnostic(Severity.valueOf(d.path("severity").asText("error").toUpperCase(java.util.Locale.ROOT)), d.path("file").asText(),
                    d.path("line").asInt(), d.path("column").asInt(), d.path("message").asText(), d.path("hint").asText()));
        }
        return out;
    }
}
