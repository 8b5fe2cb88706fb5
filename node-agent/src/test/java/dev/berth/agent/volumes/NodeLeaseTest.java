package dev.berth.agent.volumes;

import dev.berth.testkit.Directories;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

class NodeLeaseTest {
    private final Path workDir = Directories.scratch("lease-");
    private final NodeLease lease = NodeLease.in(workDir, Duration.ofSeconds(3));

    @AfterEach
    void cleanUp() {
        Directories.deleteQuietly(workDir);
    }

    @Test
    void anAcknowledgedReportRenewsTheLeaseFromWhenItWasSentAndALateAckNeverShortensIt() throws Exception {
        long sent = NodeLease.clock();

        lease.renewFrom(sent);
        lease.renewFrom(sent - 100);

        assertEquals(sent + 300, lease.recorded());
        assertEquals((sent + 300) + "\n", Files.readString(workDir.resolve("lease")), "centiseconds, one line");
        assertTrue(lease.valid());
    }

    @Test
    void aMissingOrExpiredLeaseIsNotValid() throws Exception {
        assertFalse(lease.valid(), "none written yet");
        lease.renewFrom(NodeLease.clock());
        lease.expire();
        assertFalse(lease.valid());
    }

    @Test
    void aLeaseFromAnEarlierBootOfTheMachineIsEndedAtStart() throws Exception {
        // The boot clock read far higher then: this lease would look valid for hours
        Files.writeString(workDir.resolve("lease"), (NodeLease.clock() + 360_000) + "\n");
        assertTrue(lease.valid());

        assertTrue(lease.endIfFromAnotherBoot());

        assertFalse(lease.valid());
        lease.renewFrom(NodeLease.clock());
        assertFalse(lease.endIfFromAnotherBoot(), "this boot's lease stays");
    }

    @Test
    void theClockIsTheHostsBootClockInCentiseconds() throws Exception {
        String uptime = Files.readString(Path.of("/proc/uptime")).split(" ")[0];
        long fromFile = Long.parseLong(uptime.replace(".", ""));
        assertTrue(Math.abs(NodeLease.clock() - fromFile) < 100, NodeLease.clock() + " vs " + fromFile);
    }
}
