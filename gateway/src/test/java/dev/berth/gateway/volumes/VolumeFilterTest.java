package dev.berth.gateway.volumes;

import dev.berth.contracts.messages.VolumeSnapshot;
import dev.berth.contracts.messages.VolumeState;
import dev.berth.contracts.messages.VolumeType;
import org.junit.jupiter.api.Test;

import java.time.Instant;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

class VolumeFilterTest {
    private static final VolumeSnapshot LOCAL_ON_N1 = new VolumeSnapshot("a_db.db-0.data", "data", "/a/db", "db-0",
            VolumeType.LOCAL, "local", 1, "n1", VolumeState.AVAILABLE, null, null, 1, 1, Instant.now());
    private static final VolumeSnapshot EXTERNAL_ON_N2 = new VolumeSnapshot("pg-0", "pg-0", "/a/db", "db-0",
            VolumeType.EXTERNAL, "sharedfs", 1, null, VolumeState.ATTACHED, "n2", "t", 2, 3, Instant.now());

    @Test
    void noFilterMatchesEverything() {
        VolumeFilter filter = valid(null, null, null);
        assertTrue(filter.test(LOCAL_ON_N1));
        assertTrue(filter.test(EXTERNAL_ON_N2));
    }

    @Test
    void aNodeMatchesTheVolumesLivingThereAndThoseAttachedThere() {
        assertTrue(valid(null, "n1", null).test(LOCAL_ON_N1));
        assertFalse(valid(null, "n1", null).test(EXTERNAL_ON_N2));
        assertTrue(valid(null, "n2", null).test(EXTERNAL_ON_N2));
    }

    @Test
    void anAppIdIsTakenWithOrWithoutItsSlashAndAStateInAnyCase() {
        assertTrue(valid("a/db", null, "available").test(LOCAL_ON_N1));
        assertFalse(valid("/a/db", null, "ATTACHED").test(LOCAL_ON_N1));
        assertFalse(valid("/a/web", null, null).test(LOCAL_ON_N1));
    }

    @Test
    void everyBadFilterIsNamed() {
        var invalid = assertInstanceOf(VolumeFilter.Invalid.class,
                VolumeFilter.parse(List.of("Bad App"), null, List.of("mounted")));
        assertEquals(List.of("app", "state"), invalid.errors().stream().map(e -> e.field()).toList());
    }

    @Test
    void aRepeatedFilterMatchesAnyOfItsValues() {
        VolumeFilter filter = assertInstanceOf(VolumeFilter.Valid.class,
                VolumeFilter.parse(null, List.of("n1", "n2"), List.of("available", "ATTACHED"))).filter();
        assertTrue(filter.test(LOCAL_ON_N1));
        assertTrue(filter.test(EXTERNAL_ON_N2));
    }

    @Test
    void everyValueOfARepeatedFilterIsCheckedNotOnlyTheFirst() {
        var invalid = assertInstanceOf(VolumeFilter.Invalid.class,
                VolumeFilter.parse(List.of("/a/db", "../etc"), null, List.of("ATTACHED", "bogus")));
        assertEquals(List.of("app", "state"), invalid.errors().stream().map(e -> e.field()).toList());
        assertTrue(invalid.errors().get(1).message().contains("'bogus'"), invalid.errors().get(1).message());
    }

    @Test
    void aBlankValueFiltersNothing() {
        VolumeFilter filter = valid("", " ", "");
        assertTrue(filter.test(LOCAL_ON_N1));
        assertTrue(filter.test(EXTERNAL_ON_N2));
    }

    private static VolumeFilter valid(String app, String node, String state) {
        return assertInstanceOf(VolumeFilter.Valid.class,
                VolumeFilter.parse(one(app), one(node), one(state))).filter();
    }

    /** A parameter given once, as JAX-RS hands it over; absent when null. */
    private static List<String> one(String value) {
        return value == null ? List.of() : List.of(value);
    }
}
