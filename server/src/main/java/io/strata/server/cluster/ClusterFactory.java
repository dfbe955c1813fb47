package io.strata.server.cluster;

import io.micronaut.context.annotation.Factory;
import io.micronaut.context.env.Environment;
import jakarta.inject.Singleton;

/** Wires the node's cluster settings into Micronaut. */
@Factory
public class ClusterFactory {
  @Singleton
  ClusterSettings clusterSettings(Environment env) {
    return ClusterSettings.from(env);
  }
}
