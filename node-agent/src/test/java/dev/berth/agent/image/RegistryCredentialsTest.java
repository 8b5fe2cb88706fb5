package dev.berth.agent.image;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Base64;

import static org.junit.jupiter.api.Assertions.assertEquals;
import java.util.Optional;

class RegistryCredentialsTest {
    @TempDir
    Path dir;

    @Test
    void readsDockerConfigAuthsByRegistryHost() throws Exception {
        String auth = Base64.getEncoder().encodeToString("ci:pa:ss".getBytes());
        Path file = Files.writeString(dir.resolve("config.json"), "{\"auths\":{"
                + "\"reg.example.com:5000\":{\"auth\":\"" + auth + "\"},"
                + "\"https://index.docker.io/v1/\":{\"username\":\"hub\",\"password\":\"pw\"},"
                + "\"helper.example.com\":{}}}");

        RegistryCredentials credentials = RegistryCredentials.fromDockerConfig(file);

        assertEquals(Optional.of(new RegistryCredentials.Login("ci", "pa:ss")), credentials.forRegistry("reg.example.com:5000"));
        assertEquals(Optional.of(new RegistryCredentials.Login("hub", "pw")), credentials.forRegistry(ImageReference.DOCKER_HUB));
        assertEquals(Optional.empty(), credentials.forRegistry("helper.example.com"));
        assertEquals(Optional.empty(), credentials.forRegistry("other:5000"));
    }
}
