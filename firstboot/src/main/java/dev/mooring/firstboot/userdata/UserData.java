package dev.mooring.firstboot.userdata;

import java.util.List;

/** Valid user-data: its parts in the order they appear (a single file has one). */
public record UserData(List<UserDataPart> parts) {

    public UserData {
        parts = List.copyOf(parts);
    }

    /** The parts of one kind, e.g. {@code ofKind(UserDataPart.CloudConfigPart.class)}. */
    public <T extends UserDataPart> List<T> ofKind(Class<T> kind) {
        return parts.stream().filter(kind::isInstance).map(kind::cast).toList();
    }
}
