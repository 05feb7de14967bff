/**
 * The Kafka hand-off for Currents: receivers on any number of hosts append accepted events to a
 * topic ({@link io.github.brazeodp.sync.currents.kafka.KafkaCurrentsSink}), and forwarders forming
 * a consumer group send them to ODP ({@link
 * io.github.brazeodp.sync.currents.kafka.KafkaCurrentsForwarder}), so that both scale independently
 * and a host can die without losing an acknowledged event.
 *
 * <p>Needs {@code org.apache.kafka:kafka-clients} on the class path; sync-core declares it
 * optional.
 */
package io.github.brazeodp.sync.currents.kafka;
