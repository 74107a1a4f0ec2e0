package dev.mooring.firstboot.cli;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.mooring.firstboot.diagnostic.Diagnostic;
import dev.mooring.firstboot.userdata.UserDataPart;
import dev.mooring.firstboot.userdata.Validation;
import java.io.PrintWriter;
import java.util.List;

/** Renders validation results: compiler-style text, or JSON with the same fields. */
final class ValidationReport {

    private static final ObjectMapper JSON = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);

    private ValidationReport() {
    }

    /** Errors first, then warnings, then one summary line per file. */
    static void text(List<Validation> results, PrintWriter out) {
        for (Validation v : results) {
            v.errors().forEach(d -> print(d, out));
            v.warnings().forEach(d -> print(d, out));
        }
        for (Validation v : results) {
            out.println(v.file() + ": " + (v.isValid() ? "valid" : "invalid") + " ("
                    + (v.isValid() ? kinds(v) + ", " : "") + count(v.errors().size(), "error") + ", " + count(v.warnings().size(), "warning") + ")");
        }
    }

    private static void print(Diagnostic d, PrintWriter out) {
        out.println(d);
        out.println("    hint: " + d.hint());
    }

    static void json(List<Validation> results, PrintWriter out) {
        ObjectNode root = JSON.createObjectNode();
        root.put("valid", results.stream().allMatch(Validation::isValid));
        ArrayNode files = root.putArray("files");
        for (Validation v : results) {
            ObjectNode file = files.addObject();
            file.put("file", v.file());
            file.put("valid", v.isValid());
            ArrayNode parts = file.putArray("parts");
            v.userData().ifPresent(u -> u.parts().forEach(p -> parts.add(kind(p))));
            diagnostics(file.putArray("errors"), v.errors());
            diagnostics(file.putArray("warnings"), v.warnings());
        }
        try {
            out.println(JSON.writeValueAsString(root));
        } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
            throw new IllegalStateException("a tree of plain values always serialises", e);
        }
    }

    private static void diagnostics(ArrayNode into, List<Diagnostic> diagnostics) {
        for (Diagnostic d : diagnostics) {
            ObjectNode n = into.addObject();
            n.put("severity", d.severity().label());
            n.put("file", d.file());
            n.put("line", d.line());
            n.put("column", d.column());
            n.put("message", d.message());
            n.put("hint", d.hint());
        }
    }

    private static String kinds(Validation v) {
        return String.join(" + ", v.userData().orElseThrow().parts().stream().map(ValidationReport::kind).toList());
    }

    private static String kind(UserDataPart part) {
        return switch (part) {
            case UserDataPart.CloudConfigPart c -> "cloud-config";
            case UserDataPart.ShellScript s -> "shell script";
            case UserDataPart.NetworkConfigPart n -> "network-config";
        };
    }

    private static String count(int n, String noun) {
        return n + " " + noun + (n == 1 ? "" : "s");
    }
}
