package dev.mooring.lab;

import dev.mooring.overlay.testing.NetnsAvailable;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;
import org.junit.jupiter.api.extension.ConditionEvaluationResult;
import org.junit.jupiter.api.extension.ExecutionCondition;
import org.junit.jupiter.api.extension.ExtensionContext;

/**
 * The condition behind {@link RequiresQemu}: root with iproute2 (as for netns tests), QEMU, qemu-img
 * and dnsmasq installed. A skip prints its reason, so CI logs say why the lab did not run.
 */
public final class QemuAvailable implements ExecutionCondition {

    @Override
    public ConditionEvaluationResult evaluateExecutionCondition(ExtensionContext context) {
        Optional<String> missing = missingPrerequisite();
        if (missing.isEmpty()) {
            return ConditionEvaluationResult.enabled("root, QEMU and dnsmasq");
        }
        System.err.println("skipped " + context.getDisplayName() + ": " + missing.get());
        return ConditionEvaluationResult.disabled(missing.get());
    }

    public static Optional<String> missingPrerequisite() {
        Optional<String> netns = NetnsAvailable.missingPrerequisite();
        if (netns.isPresent()) {
            return netns;
        }
        for (String tool : new String[] {"qemu-system-x86_64", "qemu-img", "dnsmasq", "cpio"}) {
            if (!onPath(tool)) {
                return Optional.of("'" + tool + "' is not installed; run bin/ensure-packages as root (qemu-tests/packages.txt)");
            }
        }
        if (!Files.exists(Path.of("/dev/net/tun"))) {
            return Optional.of("/dev/net/tun is missing: QEMU's tap networking needs the tun driver");
        }
        return Optional.empty();
    }

    private static boolean onPath(String tool) {
        String path = System.getenv().getOrDefault("PATH", "/usr/sbin:/usr/bin:/sbin:/bin");
        for (String dir : (path + ":/usr/sbin:/sbin").split(":")) {
            if (!dir.isEmpty() && Files.isExecutable(Path.of(dir, tool))) {
                return true;
            }
        }
        return false;
    }
}
