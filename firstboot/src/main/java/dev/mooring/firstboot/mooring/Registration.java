package dev.mooring.firstboot.mooring;

import java.net.URI;
import java.nio.file.Path;
import java.util.Optional;

/**
 * How the host registers with a hub.
 *
 * @param token the registration token (secret: {@code toString} hides it)
 * @param ca    the CA that signs the hub's certificate, when it is not a public one
 */
public record Registration(URI url, String token, Optional<CertificateAuthority> ca) {

    /** The hub's CA: PEM text inline, or the path of a PEM file on the device. */
    public sealed interface CertificateAuthority {
        /** The certificate itself, PEM-encoded. */
        record Pem(String text) implements CertificateAuthority {
        }

        /** A PEM file that the image or an earlier write_files entry puts on the device. */
        record File(Path path) implements CertificateAuthority {
        }
    }

    @Override
    public String toString() {
        return "Registration[" + url + ", token=redacted" + ca.map(c -> ", ca=" + (c instanceof CertificateAuthority.File f ? f.path() : "PEM")).orElse("") + "]";
    }
}
