// Watching V4L2 nodes from the event loop: a poll watcher that reports when a buffer can be
// dequeued (a capture node is readable, an output node writable) or an event is pending
// (priority), and the event ioctls it serves (subscribe, dequeue, unsubscribe).
#include <linux/videodev2.h>
#include <uv.h>

#include "ioctl.h"

namespace tsipa {

// subscribeEvent(fd, type, id) and unsubscribeEvent(fd, type, id): VIDIOC_SUBSCRIBE_EVENT and
// VIDIOC_UNSUBSCRIBE_EVENT.
static Napi::Value Subscription(const Napi::CallbackInfo& info, unsigned long request, const char* name) {
  v4l2_event_subscription sub = {};
  sub.type = U32Arg(info, 1, "event type");
  sub.id = U32Arg(info, 2, "event id");
  Ioctl(info.Env(), FdArg(info, 0), request, name, &sub);
  return info.Env().Undefined();
}

static Napi::Value SubscribeEvent(const Napi::CallbackInfo& info) {
  return Subscription(info, VIDIOC_SUBSCRIBE_EVENT, "VIDIOC_SUBSCRIBE_EVENT");
}

static Napi::Value UnsubscribeEvent(const Napi::CallbackInfo& info) {
  return Subscription(info, VIDIOC_UNSUBSCRIBE_EVENT, "VIDIOC_UNSUBSCRIBE_EVENT");
}

// dequeueEvent(fd): VIDIOC_DQEVENT; null when none is pending. A frame sync event carries the
// frame's sequence number, a control event the control's new value.
static Napi::Value DequeueEvent(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  v4l2_event event = {};
  if (!IoctlUnless(env, FdArg(info, 0), VIDIOC_DQEVENT, "VIDIOC_DQEVENT", &event, ENOENT)) return env.Null();
  Napi::Object o = Napi::Object::New(env);
  o.Set("type", event.type);
  o.Set("id", event.id);
  o.Set("sequence", event.sequence);
  o.Set("pending", event.pending);
  int64_t ns = static_cast<int64_t>(event.timestamp.tv_sec) * 1000000000 + event.timestamp.tv_nsec;
  o.Set("timestamp", Napi::BigInt::New(env, ns));
  if (event.type == V4L2_EVENT_FRAME_SYNC) o.Set("frameSequence", event.u.frame_sync.frame_sequence);
  if (event.type == V4L2_EVENT_CTRL) {
    o.Set("changes", event.u.ctrl.changes);
    o.Set("value", Napi::BigInt::New(env, static_cast<int64_t>(event.u.ctrl.value64)));
  }
  return o;
}

// new DeviceWatcher(fd, events, onReady(error?)): calls onReady from the event loop each time the
// node is ready for `events` ('readable': a capture buffer is done; 'writable': an output buffer
// is done; 'priority': an event is pending), while started; a poll error stops it. The fd stays
// the caller's.
class DeviceWatcher : public Napi::ObjectWrap<DeviceWatcher> {
 public:
  static void Init(Napi::Env env, Napi::Object exports) {
    exports.Set("DeviceWatcher", DefineClass(env, "DeviceWatcher", {
      InstanceMethod<&DeviceWatcher::Start>("start"),
      InstanceMethod<&DeviceWatcher::Stop>("stop"),
      InstanceMethod<&DeviceWatcher::Close>("close"),
    }));
  }

  explicit DeviceWatcher(const Napi::CallbackInfo& info)
      : Napi::ObjectWrap<DeviceWatcher>(info), context_(info.Env(), "ts-ipa:v4l2") {
    Napi::Env env = info.Env();
    int fd = FdArg(info, 0);
    events_ = EventsArg(info, 1);
    if (info.Length() <= 2 || !info[2].IsFunction()) throw Napi::TypeError::New(env, "onReady must be a function");
    onReady_ = Napi::Persistent(info[2].As<Napi::Function>());
    uv_loop_t* loop = nullptr;
    napi_get_uv_event_loop(env, &loop);
    poll_ = new uv_poll_t;
    int err = uv_poll_init(loop, poll_, fd);
    if (err < 0) {
      delete poll_;
      poll_ = nullptr;
      throw SystemError(env, -err, "uv_poll_init");
    }
    poll_->data = this;
  }

  // A watcher collected unclosed (never started: a started one is referenced) gives its handle
  // back to the loop.
  ~DeviceWatcher() override { ClosePoll(); }

 private:
  static int EventsArg(const Napi::CallbackInfo& info, size_t index) {
    std::string events = info.Length() > index && info[index].IsString() ? info[index].As<Napi::String>().Utf8Value() : "";
    if (events == "readable") return UV_READABLE;
    if (events == "writable") return UV_WRITABLE;
    if (events == "priority") return UV_PRIORITIZED;
    throw Napi::TypeError::New(info.Env(), "events must be 'readable', 'writable' or 'priority'");
  }

  Napi::Value Start(const Napi::CallbackInfo& info) {
    if (poll_ && !started_) {
      int err = uv_poll_start(poll_, events_, [](uv_poll_t* handle, int status, int) {
        static_cast<DeviceWatcher*>(handle->data)->OnEvent(status);
      });
      if (err < 0) throw SystemError(info.Env(), -err, "uv_poll_start");
      started_ = true;
      Ref();  // alive while watching, whatever JavaScript holds
    }
    return info.Env().Undefined();
  }

  Napi::Value Stop(const Napi::CallbackInfo& info) {
    StopPolling();
    return info.Env().Undefined();
  }

  void StopPolling() {
    if (poll_ && started_) {
      uv_poll_stop(poll_);
      started_ = false;
      Unref();
    }
  }

  void ClosePoll() {
    if (!poll_) return;
    uv_close(reinterpret_cast<uv_handle_t*>(poll_), [](uv_handle_t* handle) { delete reinterpret_cast<uv_poll_t*>(handle); });
    poll_ = nullptr;
  }

  Napi::Value Close(const Napi::CallbackInfo& info) {
    StopPolling();
    ClosePoll();
    onReady_.Reset();
    return info.Env().Undefined();
  }

  void OnEvent(int status) {
    Napi::Env env = Env();
    Napi::HandleScope scope(env);
    if (status < 0 && started_) {
      // libuv stops a poll handle that reports an error (a V4L2 queue says POLLERR while
      // streaming with no buffer queued): it is stopped here too, for start() to start again.
      started_ = false;
      Unref();
    }
    if (onReady_.IsEmpty()) return;
    Napi::Value arg = status < 0 ? SystemError(env, -status, "poll").Value() : env.Undefined();
    try {
      onReady_.MakeCallback(Value(), {arg}, context_);
    } catch (const Napi::Error& e) {
      napi_fatal_exception(env, e.Value());
    }
  }

  uv_poll_t* poll_ = nullptr;
  int events_ = UV_READABLE;
  bool started_ = false;
  Napi::FunctionReference onReady_;
  Napi::AsyncContext context_;
};

void InitDeviceWatcher(Napi::Env env, Napi::Object exports) {
  exports.Set("subscribeEvent", Napi::Function::New(env, SubscribeEvent, "subscribeEvent"));
  exports.Set("unsubscribeEvent", Napi::Function::New(env, UnsubscribeEvent, "unsubscribeEvent"));
  exports.Set("dequeueEvent", Napi::Function::New(env, DequeueEvent, "dequeueEvent"));
  DeviceWatcher::Init(env, exports);
}

}  // namespace tsipa
