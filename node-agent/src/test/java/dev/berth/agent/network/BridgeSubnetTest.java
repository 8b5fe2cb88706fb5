package dev.berth.agent.network;

import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class BridgeSubnetTest {

    @Test
    void theBridgeTakesTheFirstAddressAndTasksTheRestButTheBroadcast() {
        BridgeSubnet subnet = BridgeSubnet.parse(BridgeSubnet.DEFAULT);

        assertEquals("10.213.0.1", subnet.gateway());
        assertEquals("10.213.0.2", subnet.taskAddress(0));
        assertEquals(1021, subnet.taskAddresses());
        assertEquals("10.213.3.254", subnet.taskAddress(1020));
        assertTrue(subnet.isTaskAddress("10.213.1.0"));
        assertFalse(subnet.isTaskAddress("10.213.0.1"), "the bridge's");
        assertFalse(subnet.isTaskAddress("10.213.3.255"), "the broadcast address");
        assertFalse(subnet.isTaskAddress("10.213.4.2"), "outside");
    }

    @Test
    void refusesPublicRangesBlocksThatDoNotStartAtTheirFirstAddressAndOddSizes() {
        assertThrows(IllegalArgumentException.class, () -> BridgeSubnet.parse("8.8.8.0/24"));
        assertThrows(IllegalArgumentException.class, () -> BridgeSubnet.parse("172.32.0.0/24"));
        assertThrows(IllegalArgumentException.class, () -> BridgeSubnet.parse("10.213.0.5/24"));
        assertThrows(IllegalArgumentException.class, () -> BridgeSubnet.parse("10.0.0.0/8"));
        assertThrows(IllegalArgumentException.class, () -> BridgeSubnet.parse("10.213.0.0/30"));
        assertThrows(IllegalArgumentException.class, () -> BridgeSubnet.parse("10.213.0/24"));
        assertEquals("192.168.7.0/24", BridgeSubnet.parse("192.168.7.0/24").toString());
        assertEquals("100.64.8.0/22", BridgeSubnet.parse("100.64.8.0/22").toString());
    }

    @Test
    void interfaceNamesFitTheKernelsFifteenCharactersAndDifferPerBridgeAndTask() {
        String a = TaskNetwork.hostVethName("berth0", "team-a_web.0f6b7f9e-2f1c-4d7a-9a7e-0e6f6f0f6f0f");
        String b = TaskNetwork.hostVethName("berth1", "team-a_web.0f6b7f9e-2f1c-4d7a-9a7e-0e6f6f0f6f0f");
        assertTrue(a.length() <= 15 && b.length() <= 15, a + " " + b);
        assertTrue(!a.equals(b));
        assertTrue(TaskNetwork.peerVethName("berth0", "x").length() <= 15);
        assertEquals("berth-b0.team_web.1", TaskNetwork.netnsName("berth-b0.", "team/web.1"));
    }
}
