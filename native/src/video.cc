// V4L2 video devices: capabilities, image and metadata formats, buffers (mmap, dmabuf export and
// import), queue/dequeue and streaming.
#include <linux/videodev2.h>
#include <fcntl.h>

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

static bool IsMeta(uint32_t type) {
  return type == V4L2_BUF_TYPE_META_CAPTURE || type == V4L2_BUF_TYPE_META_OUTPUT;
}

// The image format calls read and fill fmt.pix: a metadata type would read its fmt.meta as one.
static uint32_t ImageTypeArg(const Napi::CallbackInfo& info, size_t index) {
  uint32_t type = U32Arg(info, index, "type");
  if (IsMeta(type)) throw Napi::RangeError::New(info.Env(), "buffer type " + std::to_string(type) + " is a metadata type: use metaFormat/setMetaFormat");
  return type;
}

static uint32_t MetaTypeArg(const Napi::CallbackInfo& info, size_t index) {
  uint32_t type = U32Arg(info, index, "type");
  if (!IsMeta(type)) throw Napi::RangeError::New(info.Env(), "buffer type " + std::to_string(type) + " is not a metadata type (13 or 14)");
  return type;
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
  f.type = ImageTypeArg(info, 1);
  Ioctl(info.Env(), FdArg(info, 0), VIDIOC_G_FMT, "VIDIOC_G_FMT", &f);
  return FormatObject(info.Env(), f);
}

// setFormat(fd, type, {width, height, pixelFormat, field?, colorspace?}, tryOnly): VIDIOC_S_FMT or
// VIDIOC_TRY_FMT; returns what the driver chose.
static Napi::Value SetFormat(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  int fd = FdArg(info, 0);
  v4l2_format f = {};
  f.type = ImageTypeArg(info, 1);
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

static Napi::Object MetaFormatObject(Napi::Env env, const v4l2_format& f) {
  Napi::Object o = Napi::Object::New(env);
  o.Set("dataFormat", f.fmt.meta.dataformat);
  o.Set("bufferSize", f.fmt.meta.buffersize);
  return o;
}

// metaFormat(fd, type): VIDIOC_G_FMT of a metadata node (struct v4l2_meta_format).
static Napi::Value GetMetaFormat(const Napi::CallbackInfo& info) {
  v4l2_format f = {};
  f.type = MetaTypeArg(info, 1);
  Ioctl(info.Env(), FdArg(info, 0), VIDIOC_G_FMT, "VIDIOC_G_FMT", &f);
  return MetaFormatObject(info.Env(), f);
}

// setMetaFormat(fd, type, dataFormat): VIDIOC_S_FMT of a metadata node; returns what the driver
// chose (the buffer size is the driver's to say).
static Napi::Value SetMetaFormat(const Napi::CallbackInfo& info) {
  v4l2_format f = {};
  f.type = MetaTypeArg(info, 1);
  f.fmt.meta.dataformat = U32Arg(info, 2, "data format");
  Ioctl(info.Env(), FdArg(info, 0), VIDIOC_S_FMT, "VIDIOC_S_FMT", &f);
  return MetaFormatObject(info.Env(), f);
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

static Napi::Object PlaneArg(const Napi::Array& planes, uint32_t index) {
  Napi::Value plane = planes.Get(index);
  if (!plane.IsObject()) throw Napi::TypeError::New(planes.Env(), "plane " + std::to_string(index) + " must be an object");
  return plane.As<Napi::Object>();
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
      Napi::Object p = PlaneArg(given, i);
      planes[i].bytesused = U32Field(p, "bytesUsed", 0);
      planes[i].length = U32Field(p, "length", 0);
      if (buf.memory == V4L2_MEMORY_DMABUF) planes[i].m.fd = static_cast<__s32>(U32Field(p, "fd", 0));
    }
  } else if (given.Length() > 0) {
    Napi::Object p = PlaneArg(given, 0);
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

void InitVideo(Napi::Env env, Napi::Object exports) {
  exports.Set("queryCapabilities", Napi::Function::New(env, QueryCapabilities, "queryCapabilities"));
  exports.Set("enumFormats", Napi::Function::New(env, EnumFormats, "enumFormats"));
  exports.Set("enumFrameSizes", Napi::Function::New(env, EnumFrameSizes, "enumFrameSizes"));
  exports.Set("format", Napi::Function::New(env, GetFormat, "format"));
  exports.Set("setFormat", Napi::Function::New(env, SetFormat, "setFormat"));
  exports.Set("metaFormat", Napi::Function::New(env, GetMetaFormat, "metaFormat"));
  exports.Set("setMetaFormat", Napi::Function::New(env, SetMetaFormat, "setMetaFormat"));
  exports.Set("requestBuffers", Napi::Function::New(env, RequestBuffers, "requestBuffers"));
  exports.Set("queryBuffer", Napi::Function::New(env, QueryBuffer, "queryBuffer"));
  exports.Set("exportBuffer", Napi::Function::New(env, ExportBuffer, "exportBuffer"));
  exports.Set("queueBuffer", Napi::Function::New(env, QueueBuffer, "queueBuffer"));
  exports.Set("dequeueBuffer", Napi::Function::New(env, DequeueBuffer, "dequeueBuffer"));
  exports.Set("streamOn", Napi::Function::New(env, StreamOn, "streamOn"));
  exports.Set("streamOff", Napi::Function::New(env, StreamOff, "streamOff"));
}

}  // namespace tsipa
