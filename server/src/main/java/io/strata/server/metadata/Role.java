package io.strata.server.metadata;

import java.util.Locale;

/** What a user may do. Declared from most to least powerful. */
public enum Role {
    ADMIN, EDITOR, VIEWER;

    /** Whether this role grants everything {@code other} does: ADMIN includes all, EDITOR includes VIEWER. */
    public boolean includes(Role other) {
        return other != null && ordinal() <= other.ordinal();
    }

    /**
     * The role named {@code s}, case-insensitively.
     *
     * @throws IllegalArgumentException "unknown role 'x' (expected admin, editor or viewer)"
     */
    public static Role parse(String s) {
        if (s != null) {
            String id = s.trim().toLowerCase(Locale.ROOT);
            for (Role r : values()) {
                if (r.id().equals(id)) {
                    return r;
                }
            }
        }
        throw new IllegalArgumentException("unknown role '" + s + "' (expected admin, editor or viewer)");
    }

    /** The lower-case name, as stored and as shown in the API. */
    public String id() {
        return name().toLowerCase(Locale.ROOT);
    }
}
