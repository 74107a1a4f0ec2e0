package dev.mooring.hub.store;

import java.time.Instant;
import java.util.OptionalLong;

/** A registration token: only the SHA-256 of its secret is kept. {@code usesLeft} empty: unlimited. */
public record TokenRecord(String id, String cluster, String hash, Instant expires, OptionalLong usesLeft, boolean revoked) {}
