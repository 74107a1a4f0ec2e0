package dev.mooring.overlay.testing;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;
import org.junit.jupiter.api.extension.ConditionEvaluationResult;
import org.junit.jupiter.api.extension.ExecutionCondition;
import org.junit.jupiter.api.extension.ExtensionContext;

/**
 * The condition behind {@link RequiresNetns}: enabled only as root with iproute2's {@code ip} and
 * {@code bridge} on the PATH. A skip prints its reason to {@code System.err}, so a CI log shows why
 * the integration tests did not run.
 */
public final class NetnsAvailable implements ExecutionCondition {

    @Override
    public ConditionEvaluationResult evaluateExecutionCondition(ExtensionContext context) {
        Optional<String> missing = missingPrerequisite();
        if (missing.isEmpty()) {
            return ConditionEvaluationResult.enabled("root with iproute2");
        }
        System.err.println("skipped " + context.getDisplayName() + ": " + missing.get());
        return ConditionEvaluationResult.disabled(missing.get());
    }

    /** Why namespace tests (and benchmarks) cannot run here, or empty when they can. */
    public static Optional<String> missingPrerequisite() {
        long uid = effectiveUid();
        if (uid != 0) {
            return Optional.of("network namespace tests need root (effective uid is " + uid + "); run them as root or skip tag 'netns'");
        }
        for (String tool : new String[] {"ip", "bridge"}) {
            if (onPath(tool).isEmpty()) {
                return Optional.of("'" + tool + "' (iproute2) is not on the PATH; install iproute2");
            }
        }
        return Optional.empty();
    }

    static Optional<Path> onPath(String tool) {
        String path = System.getenv().getOrDefault("PATH", "/usr/sbin:/usr/bin:/sbin:/bin");
        for (String dir : (path + ":/usr/sbin:/sbin").split(":")) {
            Path candidate = Path.of(dir.isEmpty() ? "." : dir, tool);
            if (Files.isExecutable(candidate)) {
                return Optional.of(candidate);
            }
        }
        return Optional.empty();
    }

    private static long effectiveUid() {
        try {
            // "Uid:\treal\teffective\tsaved\tfs" — /proc needs no extra JDK module.
            for (String line : Files.readAllLines(Path.of("/proc/self/status"))) {
                if (line.startsWith("Uid:")) {
                    return Long.parseLong(line.substring(4).trim().split("\\s+")[1]);
                }
            }
        } catch (IOException | RuntimeException e) {
            return -1;
        }
        return -1;
    }
}
