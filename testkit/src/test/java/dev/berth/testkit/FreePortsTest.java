package dev.berth.testkit;

import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.ServerSocket;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

class FreePortsTest {

    @Test
    void taskRangesAreBelowTheEphemeralPortsAndNeverOverlap() {
        // Given a range taken
        FreePorts.PortRange first = FreePorts.taskRange();

        // When another is asked for, the search starting at the same place
        FreePorts.PortRange second = FreePorts.taskRange((first.first() - FreePorts.TASK_PORTS_FROM)
                / FreePorts.TASK_RANGE_SIZE);

        // Then both are whole, below 32768, and apart
        for (FreePorts.PortRange range : new FreePorts.PortRange[] {first, second}) {
            assertEquals(FreePorts.TASK_RANGE_SIZE, range.size(), range.toString());
            assertTrue(range.first() >= FreePorts.TASK_PORTS_FROM && range.last() <= FreePorts.TASK_PORTS_TO
                    && range.last() < 32768, range.toString());
        }
        assertTrue(first.last() < second.first() || second.last() < first.first(), first + " and " + second);
    }

    @Test
    void aRangeWithAPortInUseIsSkipped() throws IOException {
        // Given a listener on the last port of one range (or that port already in use by someone else)
        int index = FreePorts.TASK_RANGES - 1;
        int busyRangeStart = FreePorts.TASK_PORTS_FROM + index * FreePorts.TASK_RANGE_SIZE;
        try (ServerSocket listener = new ServerSocket()) {
            try {
                listener.bind(new InetSocketAddress(busyRangeStart + FreePorts.TASK_RANGE_SIZE - 1), 1);
            } catch (IOException inUse) {
                // just as busy
            }

            // When the search starts at that range
            FreePorts.PortRange range = FreePorts.taskRange(index);

            // Then another is handed out
            assertNotEquals(busyRangeStart, range.first(), range.toString());
        }
    }
}
