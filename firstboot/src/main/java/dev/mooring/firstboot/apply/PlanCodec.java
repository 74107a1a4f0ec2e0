package dev.mooring.firstboot.apply;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.mooring.firstboot.apply.Step.Frequency;
import java.io.IOException;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;

/** The journal's {@code plan.json}: a plan, fixed at an instance's first run, as JSON. */
public final class PlanCodec {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final int FORMAT = 1;

    private PlanCodec() {
    }

    public static byte[] encode(Plan plan) {
        ObjectNode root = JSON.createObjectNode().put("format", FORMAT).put("instanceId", plan.instanceId());
        ArrayNode steps = root.putArray("steps");
        for (Step step : plan.steps()) {
            ObjectNode s = steps.addObject().put("id", step.id()).put("module", step.module());
            switch (step) {
                case Step.WriteFile w -> attributes(s.put("type", "write").put("path", w.path())
                        .put("content", Base64.getEncoder().encodeToString(w.content())), w.attributes());
                case Step.MakeDirectory m -> attributes(s.put("type", "mkdir").put("path", m.path()), m.attributes());
                case Step.Symlink l -> s.put("type", "symlink").put("path", l.path()).put("target", l.target());
                case Step.RunCommand r -> {
                    s.put("type", "run").put("frequency", r.frequency().name());
                    ArrayNode argv = s.putArray("argv");
                    r.argv().forEach(argv::add);
                }
            }
        }
        try {
            return JSON.writerWithDefaultPrettyPrinter().writeValueAsBytes(root);
        } catch (IOException e) {
            throw new IllegalStateException("a plan always encodes", e);
        }
    }

    public static Plan decode(byte[] json) throws IOException {
        JsonNode root = JSON.readTree(json);
        if (root == null || root.path("format").asInt() != FORMAT) {
            throw new IOException("plan.json has format " + (root == null ? "none" : root.path("format")) + ", this build reads " + FORMAT);
        }
        List<Step> steps = new ArrayList<>();
        for (JsonNode s : root.path("steps")) {
            String id = s.path("id").asText();
            String module = s.path("module").asText();
            steps.add(switch (s.path("type").asText()) {
                case "write" -> new Step.WriteFile(id, module, s.path("path").asText(),
                        Base64.getDecoder().decode(s.path("content").asText()), attributes(s));
                case "mkdir" -> new Step.MakeDirectory(id, module, s.path("path").asText(), attributes(s));
                case "symlink" -> new Step.Symlink(id, module, s.path("path").asText(), s.path("target").asText());
                case "run" -> {
                    List<String> argv = new ArrayList<>();
                    s.path("argv").forEach(a -> argv.add(a.asText()));
                    yield new Step.RunCommand(id, module, argv, Frequency.valueOf(s.path("frequency").asText()));
                }
                default -> throw new IOException("plan.json: unknown step type '" + s.path("type").asText() + "'");
            });
        }
        return new Plan(root.path("instanceId").asText(), steps);
    }

    private static void attributes(ObjectNode s, FileAttributes a) {
        s.put("mode", a.mode()).put("uid", a.uid()).put("gid", a.gid());
    }

    private static FileAttributes attributes(JsonNode s) {
        return new FileAttributes(s.path("mode").asInt(), s.path("uid").asInt(), s.path("gid").asInt());
    }
}
