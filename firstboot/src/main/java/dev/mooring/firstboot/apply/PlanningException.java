package dev.mooring.firstboot.apply;

import java.util.List;

/** User-data that is valid on its own but cannot be applied to this root; nothing was changed. */
public final class PlanningException extends Exception {

    private final List<String> problems;

    public PlanningException(List<String> problems) {
        super(String.join("; ", problems));
        this.problems = List.copyOf(problems);
    }

    public List<String> problems() {
        return problems;
    }
}
