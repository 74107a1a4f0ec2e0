package dev.mooring.firstboot.registration;

import java.util.List;
import java.util.Optional;

/**
 * The body of {@code POST /api/v1/register}.
 *
 * @param overlayAddress the overlay address the host already uses (derived while the hub was unreachable, or static)
 */
public record RegistrationRequest(String machineId, String hostname, String role, List<String> addresses, String version,
                                  Optional<String> overlayAddress) {
    public RegistrationRequest {
        addresses = List.copyOf(addresses);
    }
}
