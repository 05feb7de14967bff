package io.github.brazeodp.braze.internal;

import io.github.brazeodp.braze.ExportIdsRequest;
import io.github.brazeodp.braze.ExportIdsResponse;
import io.github.brazeodp.braze.ExportSegmentRequest;
import io.github.brazeodp.braze.MessageDetails;
import io.github.brazeodp.braze.Segment;
import io.github.brazeodp.braze.SegmentDetails;
import io.github.brazeodp.braze.TrackRequest;
import io.github.brazeodp.braze.TrackResponse;
import io.github.brazeodp.braze.TriggerResponse;
import java.util.List;
import java.util.Map;
import retrofit2.Call;
import retrofit2.http.Body;
import retrofit2.http.GET;
import retrofit2.http.HeaderMap;
import retrofit2.http.POST;
import retrofit2.http.Query;
import retrofit2.http.Tag;

/** Retrofit description of the Braze endpoints the client uses. Paths are relative. */
public interface BrazeApi {
  @POST("users/track")
  Call<TrackResponse> track(
      @Body TrackRequest body,
      @HeaderMap Map<String, String> headers,
      @Tag ExchangeInterceptor.Attempt attempt);

  @POST("users/track")
  Call<TrackResponse> trackRaw(@Body JsonBody body, @Tag ExchangeInterceptor.Attempt attempt);

  @POST("users/export/ids")
  Call<ExportIdsResponse> exportIds(
      @Body ExportIdsRequest body, @Tag ExchangeInterceptor.Attempt attempt);

  @GET("segments/list")
  Call<SegmentList> listSegments(
      @Query("page") int page,
      @Query("sort_direction") String sortDirection,
      @Tag ExchangeInterceptor.Attempt attempt);

  @GET("segments/details")
  Call<SegmentDetails> segmentDetails(
      @Query("segment_id") String segmentId, @Tag ExchangeInterceptor.Attempt attempt);

  @POST("users/export/segment")
  Call<ExportStarted> exportSegment(
      @Body ExportSegmentRequest body, @Tag ExchangeInterceptor.Attempt attempt);

  @POST("users/export/segment")
  Call<ExportStarted> exportSegmentRaw(
      @Body JsonBody body, @Tag ExchangeInterceptor.Attempt attempt);

  @POST("export/segment/cancel")
  Call<Message> cancelSegmentExport(@Body JsonBody body, @Tag ExchangeInterceptor.Attempt attempt);

  @POST("campaigns/trigger/send")
  Call<TriggerResponse> triggerCampaign(
      @Body JsonBody body, @Tag ExchangeInterceptor.Attempt attempt);

  @POST("canvas/trigger/send")
  Call<TriggerResponse> triggerCanvas(
      @Body JsonBody body, @Tag ExchangeInterceptor.Attempt attempt);

  @GET("campaigns/details")
  Call<MessageDetails> campaignDetails(
      @Query("campaign_id") String campaignId, @Tag ExchangeInterceptor.Attempt attempt);

  @GET("canvas/details")
  Call<MessageDetails> canvasDetails(
      @Query("canvas_id") String canvasId, @Tag ExchangeInterceptor.Attempt attempt);

  /** {@code /segments/list} response. */
  record SegmentList(String message, List<Segment> segments) {}

  /** {@code /users/export/segment} response. */
  record ExportStarted(
      String message,
      @com.squareup.moshi.Json(name = "object_prefix") String objectPrefix,
      String url) {}

  /** A response with only a message. */
  record Message(String message) {}
}
