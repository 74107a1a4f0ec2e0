package dev.mooring.image.build;

import dev.mooring.firstboot.diagnostic.Diagnostic;
import dev.mooring.firstboot.userdata.UserDataValidator;
import dev.mooring.firstboot.userdata.Validation;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * The NoCloud files for /oem or a CIDATA seed: user-data, meta-data and network-config, checked
 * before anything is written (user-data and network-config with firstboot's validator).
 */
public record OemContent(Path userData, Optional<Path> metaData, Optional<Path> networkConfig) {

    /** File name inside the FAT image → file. */
    public Map<String, Path> files() {
        Map<String, Path> files = new LinkedHashMap<>();
        files.put("user-data", userData);
        metaData.ifPresent(m -> files.put("meta-data", m));
        networkConfig.ifPresent(n -> files.put("network-config", n));
        return files;
    }

    /** Every error in the files, compiler style; empty when they can be written. */
    public List<String> problems() {
        List<String> out = new ArrayList<>();
        UserDataValidator validator = UserDataValidator.standard();
        report(validator.validate(userData), out);
        networkConfig.ifPresent(n -> report(validator.validate(n), out));
        metaData.ifPresent(m -> {
            if (!Files.isRegularFile(m)) {
                out.add(m + ": error: no such file\n  hint: check the path of the meta-data");
            }
        });
        return out;
    }

    private static void report(Validation v, List<String> out) {
        for (Diagnostic d : v.errors()) {
            out.add(d + "\n  hint: " + d.hint());
        }
    }
}
