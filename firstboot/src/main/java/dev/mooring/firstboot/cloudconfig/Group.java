package dev.mooring.firstboot.cloudconfig;

import java.util.List;

/** A group to create, with the users to add to it. */
public record Group(String name, List<String> members) {
    public Group {
        members = List.copyOf(members);
    }
}
