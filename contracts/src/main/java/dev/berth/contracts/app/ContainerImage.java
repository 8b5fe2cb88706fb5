package dev.berth.contracts.app;

/**
 * The image an app's tasks run from: Marathon's {@code container.docker} (with {@code type} DOCKER, or
 * MESOS as Mesos's universal containerizer reads it). Berth pulls and unpacks it on the node itself; no
 * Docker engine is involved (docs/images.md). Only the fields Berth honours are here: the parser refuses
 * the Docker-only ones ({@code privileged}, {@code parameters}, …) by name rather than dropping them.
 *
 * @param image          a reference as Docker writes it: {@code 127.0.0.1:5000/berth/hello-http:1},
 *                       {@code redis:7}, {@code name@sha256:…}
 * @param forcePullImage ask the registry again at every launch, even when the node has the image
 */
public record ContainerImage(String image, boolean forcePullImage) {
}
