package io.github.brazeodp.samples.boot;

import org.springframework.boot.SpringApplication;
import org.springframework.boot.autoconfigure.SpringBootApplication;
import org.springframework.boot.context.properties.EnableConfigurationProperties;
import org.springframework.scheduling.annotation.EnableScheduling;

/**
 * A Spring Boot host for the SDK: the nightly Braze to ODP segment sync as a scheduled job, and the
 * Braze Currents receiver on {@code POST /currents}, configured under {@code braze-odp.*} with the
 * keys of the CLI's {@code config.json}.
 */
@SpringBootApplication
@EnableScheduling
@EnableConfigurationProperties(SyncProperties.class)
public class BrazeOdpSyncApplication {
  /** Starts the application. */
  public static void main(String[] args) {
    SpringApplication.run(BrazeOdpSyncApplication.class, args);
  }
}
