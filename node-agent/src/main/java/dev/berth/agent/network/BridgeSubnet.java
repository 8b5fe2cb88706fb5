package dev.berth.agent.network;

/**
 * The node's bridge network, an IPv4 block of private addresses: its first address is the bridge's own
 * (every task's default gateway), the others up to the last but one are given to tasks. Only private
 * ranges (RFC 1918, and the shared 100.64.0.0/10) are accepted, so that a typo cannot make the node
 * answer for someone else's public addresses.
 *
 * @param network the block's first address, as an unsigned 32-bit number
 * @param prefix  its length, 16 to 29 (from 65 534 tasks down to 5)
 */
public record BridgeSubnet(long network, int prefix) {
    public static final String DEFAULT = "10.213.0.0/22";

    public BridgeSubnet {
        if (prefix < 16 || prefix > 29) {
            throw new IllegalArgumentException("a bridge subnet is /16 to /29, was /" + prefix);
        }
        if ((network & ~mask(prefix)) != 0) {
            throw new IllegalArgumentException(text(network) + "/" + prefix + " is not the first address of its "
                    + "block");
        }
        if (!isPrivate(network, prefix)) {
            throw new IllegalArgumentException(text(network) + "/" + prefix + " is not a private range: use one within"
                    + " 10.0.0.0/8, 172.16.0.0/12, 192.168.0.0/16 or 100.64.0.0/10");
        }
    }

    /** {@code 10.213.0.0/22}. */
    public static BridgeSubnet parse(String cidr) {
        String[] parts = cidr.trim().split("/", 2);
        if (parts.length != 2) {
            throw new IllegalArgumentException("a bridge subnet looks like " + DEFAULT + ", was " + cidr);
        }
        try {
            return new BridgeSubnet(address(parts[0]), Integer.parseInt(parts[1]));
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("a bridge subnet looks like " + DEFAULT + ", was " + cidr, e);
        }
    }

    /** The bridge's own address: the block's first usable one. */
    public String gateway() {
        return text(network + 1);
    }

    /** How many addresses tasks can have: all but the network, the bridge's and the broadcast address. */
    public int taskAddresses() {
        return (int) (size() - 3);
    }

    /** The n-th task address (0-based), after the bridge's. */
    public String taskAddress(int n) {
        if (n < 0 || n >= taskAddresses()) {
            throw new IllegalArgumentException("no task address " + n + " in " + this);
        }
        return text(network + 2 + n);
    }

    /** True if {@code address} is one a task can have here. */
    public boolean isTaskAddress(String address) {
        try {
            long a = address(address);
            return a >= network + 2 && a < network + size() - 1;
        } catch (IllegalArgumentException e) {
            return false;
        }
    }

    private long size() {
        return 1L << (32 - prefix);
    }

    @Override
    public String toString() {
        return text(network) + "/" + prefix;
    }

    private static long mask(int prefix) {
        return (0xFFFFFFFFL << (32 - prefix)) & 0xFFFFFFFFL;
    }

    private static boolean isPrivate(long network, int prefix) {
        return within(network, prefix, "10.0.0.0", 8) || within(network, prefix, "172.16.0.0", 12)
                || within(network, prefix, "192.168.0.0", 16) || within(network, prefix, "100.64.0.0", 10);
    }

    private static boolean within(long network, int prefix, String block, int blockPrefix) {
        return prefix >= blockPrefix && (network & mask(blockPrefix)) == address(block);
    }

    static long address(String text) {
        String[] octets = text.trim().split("\\.");
        if (octets.length != 4) {
            throw new IllegalArgumentException("not an IPv4 address: " + text);
        }
        long value = 0;
        for (String octet : octets) {
            int n;
            try {
                n = Integer.parseInt(octet);
            } catch (NumberFormatException e) {
                throw new IllegalArgumentException("not an IPv4 address: " + text, e);
            }
            if (n < 0 || n > 255 || !octet.equals(Integer.toString(n))) {
                throw new IllegalArgumentException("not an IPv4 address: " + text);
            }
            value = value << 8 | n;
        }
        return value;
    }

    static String text(long address) {
        return (address >> 24 & 255) + "." + (address >> 16 & 255) + "." + (address >> 8 & 255) + "." + (address & 255);
    }
}
