package dev.mooring.runtime.testing;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;
import org.junit.jupiter.api.extension.ConditionEvaluationResult;
import org.junit.jupiter.api.extension.ExecutionCondition;
import org.junit.jupiter.api.extension.ExtensionContext;

/** The condition behind {@link RequiresNetns}: root, and {@code ip} on the PATH; a skip prints why. */
public final class NetnsAvailable implements ExecutionCondition {

    @Override
    public ConditionEvaluationResult evaluateExecutionCondition(ExtensionContext context) {
        Optional<String> missing = missingPrerequisite();
        if (missing.isEmpty()) {
            return ConditionEvaluationResult.enabled("root with iproute2");
        }
        String reason = "skipped " + context.getDisplayName() + ": " + missing.get();
        System.err.println(reason);
        return ConditionEvaluationResult.disabled(reason);
    }

    /** Why namespace tests and benchmarks cannot run here, or empty when they can. */
    public static Optional<String> missingPrerequisite() {
        long uid = effectiveUid();
        if (uid != 0) {
            return Optional.of("network namespace tests need root (effective uid is " + uid + "); run them as root or exclude tag 'netns'");
        }
        if (ip().isEmpty()) {
            return Optional.of("'ip' (iproute2) is not on the PATH; install iproute2");
        }
        return Optional.empty();
    }

    /** iproute2's {@code ip}, looked up on the PATH and in the sbin folders. */
    public static Optional<Path> ip() {
        String path = System.getenv().getOrDefault("PATH", "/usr/bin:/bin");
        for (String dir : (path + ":/usr/sbin:/sbin").split(":")) {
            Path candidate = Path.of(dir.isEmpty() ? "." : dir, "ip");
            if (Files.isExecutable(candidate)) {
                return Optional.of(candidate);
            }
        }
        return Optional.empty();
    }

    private static long effectiveUid() {
        try {
            // "Uid:\treal\teffective\tsaved\tfs"
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
