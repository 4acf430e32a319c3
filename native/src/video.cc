// V4L2 video devices: capabilities, formats, buffers (mmap, dmabuf export and import),
// queue/dequeue and streaming, and a watcher that reports when a buffer can be dequeued.
#include <linux/videodev2.h>
#include <fcntl.h>
#include <uv.h>

#include "ioctl.h"

namespace tsipa {

static bool IsMultiplanar(uint32_t type) {
  return type == V4L2_BUF_TYPE_VIDEO_CAPTURE_MPLANE || type == V4L2_BUF_TYPE_VIDEO_OUTPUT_MPLANE;
}

// queryCapabilities(fd): VIDIOC_QUERYCAP.
static Napi::Value QueryCapabilities(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  v4l2_capability cap = {};
  Ioctl(env, FdArg(info, 0), VIDIOC_QUERYCAP, "VIDIOC_QUERYCAP", &cap);
  Napi::Object o = Napi::Object::New(env);
  o.Set("driver", KernelString(env, cap.driver));
  o.Set("card", KernelString(env, cap.card));
  o.Set("busInfo", KernelString(env, cap.bus_info));
  o.Set("version", cap.version);
  o.Set("capabilities", cap.capabilities);
  o.Set("deviceCaps", cap.capabilities & V4L2_CAP_DEVICE_CAPS ? cap.device_caps : cap.capabilities);
  return o;
}

// enumFormats(fd, type, mbusCode): VIDIOC_ENUM_FMT, optionally only those for a media bus code.
static Napi::Value EnumFormats(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  int fd = FdArg(info, 0);
  Napi::Array formats = Napi::Array::New(env);
  for (uint32_t index = 0;; index++) {
    v4l2_fmtdesc desc = {};
    desc.index = index;
    desc.type = U32Arg(info, 1, "type");
    desc.mbus_code = info.Length() > 2 && info[2].IsNumber() ? info[2].As<Napi::Number>().Uint32Value() : 0;
    if (!IoctlUnless(env, fd, VIDIOC_ENUM_FMT, "VIDIOC_ENUM_FMT", &desc, EINVAL)) break;
    Napi::Object o = Napi::Object::New(env);
    o.Set("pixelFormat", desc.pixelformat);
    o.Set("description", KernelString(env, desc.description));
    o.Set("flags", desc.flags);
    formats.Set(index, o);
  }
  return formats;
}

// enumFrameSizes(fd, pixelFormat): VIDIOC_ENUM_FRAMESIZES, as discrete sizes or one range.
static Napi::Value EnumFrameSizes(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  int fd = FdArg(info, 0);
  Napi::Array sizes = Napi::Array::New(env);
  for (uint32_t index = 0;; index++) {
    v4l2_frmsizeenum size = {};
    size.index = index;
    size.pixel_format = U32Arg(info, 1, "pixel format");
    if (!IoctlUnless(env, fd, VIDIOC_ENUM_FRAMESIZES, "VIDIOC_ENUM_FRAMESIZES", &size, EINVAL)) break;
    Napi::Object o = Napi::Object::New(env);
    if (size.type == V4L2_FRMSIZE_TYPE_DISCRETE) {
      o.Set("minWidth", size.discrete.width);
      o.Set("maxWidth", size.discrete.width);
      o.Set("stepWidth", 1);
      o.Set("minHeight", size.discrete.height);
      o.Set("maxHeight", size.discrete.height);
      o.Set("stepHeight", 1);
    } else {
      o.Set("minWidth", size.stepwise.min_width);
      o.Set("maxWidth", size.stepwise.max_width);
      o.Set("stepWidth", size.stepwise.step_width);
      o.Set("minHeight", size.stepwise.min_height);
      o.Set("maxHeight", size.stepwise.max_height);
      o.Set("stepHeight", size.stepwise.step_height);
    }
    sizes.Set(index, o);
    if (size.type != V4L2_FRMSIZE_TYPE_DISCRETE) break;
  }
  return sizes;
}

static Napi::Object FormatObject(Napi::Env env, const v4l2_format& f) {
  Napi::Object o = Napi::Object::New(env);
  Napi::Array planes = Napi::Array::New(env);
  if (IsMultiplanar(f.type)) {
    const v4l2_pix_format_mplane& p = f.fmt.pix_mp;
    o.Set("width", p.width);
    o.Set("height", p.height);
    o.Set("pixelFormat", p.pixelformat);
    o.Set("field", p.field);
    o.Set("colorspace", p.colorspace);
    for (uint32_t i = 0; i < p.num_planes; i++) {
      Napi::Object plane = Napi::Object::New(env);
      plane.Set("bytesPerLine", p.plane_fmt[i].bytesperline);
      plane.Set("size", p.plane_fmt[i].sizeimage);
      planes.Set(i, plane);
    }
  } else {
    const v4l2_pix_format& p = f.fmt.pix;
    o.Set("width", p.width);
    o.Set("height", p.height);
    o.Set("pixelFormat", p.pixelformat);
    o.Set("field", p.field);
    o.Set("colorspace", p.colorspace);
    Napi::Object plane = Napi::Object::New(env);
    plane.Set("bytesPerLine", p.bytesperline);
    plane.Set("size", p.sizeimage);
    planes.Set(0u, plane);
  }
  o.Set("planes", planes);
  return o;
}

// format(fd, type): VIDIOC_G_FMT.
static Napi::Value GetFormat(const Napi::CallbackInfo& info) {
  v4l2_format f = {};
  f.type = U32Arg(info, 1, "type");
  Ioctl(info.Env(), FdArg(info, 0), VIDIOC_G_FMT, "VIDIOC_G_FMT", &f);
  return FormatObject(info.Env(), f);
}

// setFormat(fd, type, {width, height, pixelFormat, field?, colorspace?}, tryOnly): VIDIOC_S_FMT or
// VIDIOC_TRY_FMT; returns what the driver chose.
static Napi::Value SetFormat(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  int fd = FdArg(info, 0);
  v4l2_format f = {};
  f.type = U32Arg(info, 1, "type");
  Napi::Object wanted = ObjectArg(info, 2, "format");
  bool tryOnly = info.Length() > 3 && info[3].ToBoolean();
  if (IsMultiplanar(f.type)) {
    f.fmt.pix_mp.width = U32Field(wanted, "width", 0);
    f.fmt.pix_mp.height = U32Field(wanted, "height", 0);
    f.fmt.pix_mp.pixelformat = U32Field(wanted, "pixelFormat", 0);
    f.fmt.pix_mp.field = U32Field(wanted, "field", V4L2_FIELD_NONE);
    f.fmt.pix_mp.colorspace = U32Field(wanted, "colorspace", 0);
  } else {
    f.fmt.pix.width = U32Field(wanted, "width", 0);
    f.fmt.pix.height = U32Field(wanted, "height", 0);
    f.fmt.pix.pixelformat = U32Field(wanted, "pixelFormat", 0);
    f.fmt.pix.field = U32Field(wanted, "field", V4L2_FIELD_NONE);
    f.fmt.pix.colorspace = U32Field(wanted, "colorspace", 0);
  }
  if (tryOnly) Ioctl(env, fd, VIDIOC_TRY_FMT, "VIDIOC_TRY_FMT", &f);
  else Ioctl(env, fd, VIDIOC_S_FMT, "VIDIOC_S_FMT", &f);
  return FormatObject(env, f);
}

// requestBuffers(fd, type, memory, count): VIDIOC_REQBUFS; returns how many the driver gave.
static Napi::Value RequestBuffers(const Napi::CallbackInfo& info) {
  v4l2_requestbuffers req = {};
  req.type = U32Arg(info, 1, "type");
  req.memory = U32Arg(info, 2, "memory");
  req.count = U32Arg(info, 3, "count");
  Ioctl(info.Env(), FdArg(info, 0), VIDIOC_REQBUFS, "VIDIOC_REQBUFS", &req);
  return Napi::Number::New(info.Env(), req.count);
}

// queryBuffer(fd, type, index): VIDIOC_QUERYBUF for an MMAP buffer: each plane's length and offset.
static Napi::Value QueryBuffer(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  v4l2_buffer buf = {};
  v4l2_plane planes[VIDEO_MAX_PLANES] = {};
  buf.type = U32Arg(info, 1, "type");
  buf.memory = V4L2_MEMORY_MMAP;
  buf.index = U32Arg(info, 2, "index");
  bool mplane = IsMultiplanar(buf.type);
  if (mplane) {
    buf.m.planes = planes;
    buf.length = VIDEO_MAX_PLANES;
  }
  Ioctl(env, FdArg(info, 0), VIDIOC_QUERYBUF, "VIDIOC_QUERYBUF", &buf);
  Napi::Array result = Napi::Array::New(env);
  if (mplane) {
    for (uint32_t i = 0; i < buf.length; i++) {
      Napi::Object p = Napi::Object::New(env);
      p.Set("length", planes[i].length);
      p.Set("offset", planes[i].m.mem_offset);
      result.Set(i, p);
    }
  } else {
    Napi::Object p = Napi::Object::New(env);
    p.Set("length", buf.length);
    p.Set("offset", buf.m.offset);
    result.Set(0u, p);
  }
  return result;
}

// exportBuffer(fd, type, index, plane): VIDIOC_EXPBUF; a dmabuf fd (close-on-exec) the caller owns.
static Napi::Value ExportBuffer(const Napi::CallbackInfo& info) {
  v4l2_exportbuffer exp = {};
  exp.type = U32Arg(info, 1, "type");
  exp.index = U32Arg(info, 2, "index");
  exp.plane = U32Arg(info, 3, "plane");
  exp.flags = O_CLOEXEC | O_RDWR;
  Ioctl(info.Env(), FdArg(info, 0), VIDIOC_EXPBUF, "VIDIOC_EXPBUF", &exp);
  return Napi::Number::New(info.Env(), exp.fd);
}

// queueBuffer(fd, type, memory, index, planes: [{bytesUsed?, fd?, length?}]): VIDIOC_QBUF.
static Napi::Value QueueBuffer(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  v4l2_buffer buf = {};
  v4l2_plane planes[VIDEO_MAX_PLANES] = {};
  buf.type = U32Arg(info, 1, "type");
  buf.memory = U32Arg(info, 2, "memory");
  buf.index = U32Arg(info, 3, "index");
  Napi::Array given = info.Length() > 4 && info[4].IsArray() ? info[4].As<Napi::Array>() : Napi::Array::New(env);
  if (given.Length() > VIDEO_MAX_PLANES) throw Napi::RangeError::New(env, "too many planes");
  if (IsMultiplanar(buf.type)) {
    buf.m.planes = planes;
    buf.length = given.Length();
    for (uint32_t i = 0; i < given.Length(); i++) {
      Napi::Object p = given.Get(i).As<Napi::Object>();
      planes[i].bytesused = U32Field(p, "bytesUsed", 0);
      planes[i].length = U32Field(p, "length", 0);
      if (buf.memory == V4L2_MEMORY_DMABUF) planes[i].m.fd = static_cast<__s32>(U32Field(p, "fd", 0));
    }
  } else if (given.Length() > 0) {
    Napi::Object p = given.Get(0u).As<Napi::Object>();
    buf.bytesused = U32Field(p, "bytesUsed", 0);
    buf.length = U32Field(p, "length", 0);
    if (buf.memory == V4L2_MEMORY_DMABUF) buf.m.fd = static_cast<__s32>(U32Field(p, "fd", 0));
  }
  Ioctl(env, FdArg(info, 0), VIDIOC_QBUF, "VIDIOC_QBUF", &buf);
  return env.Undefined();
}

// dequeueBuffer(fd, type, memory): VIDIOC_DQBUF without blocking; null when none is ready.
static Napi::Value DequeueBuffer(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  v4l2_buffer buf = {};
  v4l2_plane planes[VIDEO_MAX_PLANES] = {};
  buf.type = U32Arg(info, 1, "type");
  buf.memory = U32Arg(info, 2, "memory");
  bool mplane = IsMultiplanar(buf.type);
  if (mplane) {
    buf.m.planes = planes;
    buf.length = VIDEO_MAX_PLANES;
  }
  if (!IoctlUnless(env, FdArg(info, 0), VIDIOC_DQBUF, "VIDIOC_DQBUF", &buf, EAGAIN)) return env.Null();
  Napi::Object o = Napi::Object::New(env);
  o.Set("index", buf.index);
  o.Set("sequence", buf.sequence);
  o.Set("flags", buf.flags);
  o.Set("field", buf.field);
  int64_t ns = static_cast<int64_t>(buf.timestamp.tv_sec) * 1000000000 + static_cast<int64_t>(buf.timestamp.tv_usec) * 1000;
  o.Set("timestamp", Napi::BigInt::New(env, ns));
  Napi::Array used = Napi::Array::New(env);
  if (mplane) {
    for (uint32_t i = 0; i < buf.length; i++) used.Set(i, planes[i].bytesused);
  } else {
    used.Set(0u, buf.bytesused);
  }
  o.Set("bytesUsed", used);
  return o;
}

static Napi::Value StreamOn(const Napi::CallbackInfo& info) {
  int type = static_cast<int>(U32Arg(info, 1, "type"));
  Ioctl(info.Env(), FdArg(info, 0), VIDIOC_STREAMON, "VIDIOC_STREAMON", &type);
  return info.Env().Undefined();
}

static Napi::Value StreamOff(const Napi::CallbackInfo& info) {
  int type = static_cast<int>(U32Arg(info, 1, "type"));
  Ioctl(info.Env(), FdArg(info, 0), VIDIOC_STREAMOFF, "VIDIOC_STREAMOFF", &type);
  return info.Env().Undefined();
}

// new DeviceWatcher(fd, onReady(error?)): calls onReady from the event loop each time the device
// has a buffer to dequeue (the fd is readable), while started; an error stops it. The fd stays the
// caller's.
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
    onReady_ = Napi::Persistent(info[1].As<Napi::Function>());
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

 private:
  Napi::Value Start(const Napi::CallbackInfo& info) {
    if (poll_ && !started_) {
      int err = uv_poll_start(poll_, UV_READABLE, [](uv_poll_t* handle, int status, int) {
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

  Napi::Value Close(const Napi::CallbackInfo& info) {
    StopPolling();
    if (poll_) {
      uv_close(reinterpret_cast<uv_handle_t*>(poll_), [](uv_handle_t* handle) { delete reinterpret_cast<uv_poll_t*>(handle); });
      poll_ = nullptr;
    }
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
    Napi::Value arg = status < 0 ? SystemError(env, -status, "poll").Value() : env.Undefined();
    try {
      onReady_.MakeCallback(Value(), {arg}, context_);
    } catch (const Napi::Error& e) {
      napi_fatal_exception(env, e.Value());
    }
  }

  uv_poll_t* poll_ = nullptr;
  bool started_ = false;
  Napi::FunctionReference onReady_;
  Napi::AsyncContext context_;
};

void InitVideo(Napi::Env env, Napi::Object exports) {
  exports.Set("queryCapabilities", Napi::Function::New(env, QueryCapabilities, "queryCapabilities"));
  exports.Set("enumFormats", Napi::Function::New(env, EnumFormats, "enumFormats"));
  exports.Set("enumFrameSizes", Napi::Function::New(env, EnumFrameSizes, "enumFrameSizes"));
  exports.Set("format", Napi::Function::New(env, GetFormat, "format"));
  exports.Set("setFormat", Napi::Function::New(env, SetFormat, "setFormat"));
  exports.Set("requestBuffers", Napi::Function::New(env, RequestBuffers, "requestBuffers"));
  exports.Set("queryBuffer", Napi::Function::New(env, QueryBuffer, "queryBuffer"));
  exports.Set("exportBuffer", Napi::Function::New(env, ExportBuffer, "exportBuffer"));
  exports.Set("queueBuffer", Napi::Function::New(env, QueueBuffer, "queueBuffer"));
  exports.Set("dequeueBuffer", Napi::Function::New(env, DequeueBuffer, "dequeueBuffer"));
  exports.Set("streamOn", Napi::Function::New(env, StreamOn, "streamOn"));
  exports.Set("streamOff", Napi::Function::New(env, StreamOff, "streamOff"));
  DeviceWatcher::Init(env, exports);
}

}  // namespace tsipa
