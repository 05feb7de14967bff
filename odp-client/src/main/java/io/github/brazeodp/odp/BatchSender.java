package io.github.brazeodp.odp;

import io.github.brazeodp.odp.internal.EventBatcher;
import io.github.brazeodp.odp.internal.ExchangeTag;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.function.BiFunction;
import okhttp3.RequestBody;
import okhttp3.ResponseBody;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import retrofit2.Call;

/** Sends encoded rows in planned requests and maps each outcome back to input rows. */
final class BatchSender {
  private static final Logger LOG = LoggerFactory.getLogger(BatchSender.class);

  private final Transport transport;
  private final EventBatcher batcher;

  BatchSender(Transport transport, EventBatcher batcher) {
    this.transport = transport;
    this.batcher = batcher;
  }

  BatchResult send(
      OdpApi api,
      List<byte[]> rows,
      BiFunction<RequestBody, ExchangeTag, Call<ResponseBody>> call) {
    byte[] statuses = new byte[rows.size()];
    Arrays.fill(statuses, (byte) RowStatus.NOT_SENT.ordinal());
    List<RowError> errors = new ArrayList<>();
    int requests = 0;
    for (EventBatcher.Batch batch : batcher.plan(rows)) {
      requests++;
      try {
        transport.execute(
            api,
            // Events carry idempotence ids and upserts converge, so resending is safe.
            true,
            Transport.retrofit(tag -> call.apply(batch.body(), tag)),
            r -> null);
        mark(statuses, batch.from(), batch.to(), RowStatus.ACCEPTED);
      } catch (OdpBadRequestException e) {
        reject(api, batch, e, statuses, errors);
      } catch (OdpException e) {
        mark(statuses, batch.from(), batch.to(), RowStatus.UNCONFIRMED);
        e.attachPartialResult(new BatchResult(statuses, errors, requests));
        throw e;
      }
    }
    return new BatchResult(statuses, errors, requests);
  }

  private static void reject(
      OdpApi api,
      EventBatcher.Batch batch,
      OdpBadRequestException e,
      byte[] statuses,
      List<RowError> errors) {
    boolean named = false;
    for (OdpInvalid invalid : e.invalids()) {
      Integer i = invalid.index();
      if (i != null && i >= 0 && i < batch.size()) {
        int row = batch.from() + i;
        statuses[row] = (byte) RowStatus.REJECTED.ordinal();
        errors.add(new RowError(row, invalid.field(), invalid.message()));
        named = true;
      } else {
        LOG.debug("ODP {} invalid without a usable row index: {}", api.endpoint(), invalid);
      }
    }
    if (named) {
      for (int row = batch.from(); row < batch.to(); row++) {
        if (statuses[row] != RowStatus.REJECTED.ordinal()) {
          statuses[row] = (byte) RowStatus.UNCONFIRMED.ordinal();
        }
      }
      return;
    }
    // ODP named no row: the whole request was refused.
    String message = e.detail() != null ? e.detail() : e.getMessage();
    String field = e.invalids().isEmpty() ? null : e.invalids().get(0).field();
    if (!e.invalids().isEmpty() && e.invalids().get(0).message() != null) {
      message = e.invalids().get(0).message();
    }
    for (int row = batch.from(); row < batch.to(); row++) {
      statuses[row] = (byte) RowStatus.REJECTED.ordinal();
      errors.add(new RowError(row, field, message));
    }
  }

  private static void mark(byte[] statuses, int from, int to, RowStatus status) {
    Arrays.fill(statuses, from, to, (byte) status.ordinal());
  }
}
