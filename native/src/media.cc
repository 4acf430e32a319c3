// The media controller (device info, topology, links) and V4L2 sub-devices (pad formats and
// selections).
#include <linux/media.h>
#include <linux/v4l2-subdev.h>

#include <vector>

#include "ioctl.h"

namespace tsipa {

// mediaDeviceInfo(fd): MEDIA_IOC_DEVICE_INFO.
static Napi::Value MediaDeviceInfo(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  media_device_info device = {};
  Ioctl(env, FdArg(info, 0), MEDIA_IOC_DEVICE_INFO, "MEDIA_IOC_DEVICE_INFO", &device);
  Napi::Object result = Napi::Object::New(env);
  result.Set("driver", KernelString(env, device.driver));
  result.Set("model", KernelString(env, device.model));
  result.Set("serial", KernelString(env, device.serial));
  result.Set("busInfo", KernelString(env, device.bus_info));
  result.Set("mediaVersion", device.media_version);
  result.Set("hwRevision", device.hw_revision);
  result.Set("driverVersion", device.driver_version);
  return result;
}

// mediaTopology(fd): MEDIA_IOC_G_TOPOLOGY, asked twice (counts, then contents) and again if the
// graph changed in between.
static Napi::Value MediaTopology(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  int fd = FdArg(info, 0);
  media_v2_topology topology;
  std::vector<media_v2_entity> entities;
  std::vector<media_v2_interface> interfaces;
  std::vector<media_v2_pad> pads;
  std::vector<media_v2_link> links;
  for (int attempt = 0;; attempt++) {
    topology = {};
    Ioctl(env, fd, MEDIA_IOC_G_TOPOLOGY, "MEDIA_IOC_G_TOPOLOGY", &topology);
    uint64_t version = topology.topology_version;
    entities.resize(topology.num_entities);
    interfaces.resize(topology.num_interfaces);
    pads.resize(topology.num_pads);
    links.resize(topology.num_links);
    topology.ptr_entities = reinterpret_cast<uintptr_t>(entities.data());
    topology.ptr_interfaces = reinterpret_cast<uintptr_t>(interfaces.data());
    topology.ptr_pads = reinterpret_cast<uintptr_t>(pads.data());
    topology.ptr_links = reinterpret_cast<uintptr_t>(links.data());
    Ioctl(env, fd, MEDIA_IOC_G_TOPOLOGY, "MEDIA_IOC_G_TOPOLOGY", &topology);
    if (topology.topology_version == version) break;
    if (attempt == 10) throw SystemError(env, EAGAIN, "MEDIA_IOC_G_TOPOLOGY", "the graph kept changing");
  }
  Napi::Object result = Napi::Object::New(env);
  result.Set("version", static_cast<double>(topology.topology_version));
  Napi::Array entityArray = Napi::Array::New(env, topology.num_entities);
  for (uint32_t i = 0; i < topology.num_entities; i++) {
    Napi::Object e = Napi::Object::New(env);
    e.Set("id", entities[i].id);
    e.Set("name", KernelString(env, entities[i].name));
    e.Set("function", entities[i].function);
    e.Set("flags", entities[i].flags);
    entityArray.Set(i, e);
  }
  result.Set("entities", entityArray);
  Napi::Array interfaceArray = Napi::Array::New(env, topology.num_interfaces);
  for (uint32_t i = 0; i < topology.num_interfaces; i++) {
    Napi::Object o = Napi::Object::New(env);
    o.Set("id", interfaces[i].id);
    o.Set("type", interfaces[i].intf_type);
    o.Set("flags", interfaces[i].flags);
    o.Set("major", interfaces[i].devnode.major);
    o.Set("minor", interfaces[i].devnode.minor);
    interfaceArray.Set(i, o);
  }
  result.Set("interfaces", interfaceArray);
  Napi::Array padArray = Napi::Array::New(env, topology.num_pads);
  for (uint32_t i = 0; i < topology.num_pads; i++) {
    Napi::Object p = Napi::Object::New(env);
    p.Set("id", pads[i].id);
    p.Set("entityId", pads[i].entity_id);
    p.Set("flags", pads[i].flags);
    p.Set("index", pads[i].index);
    padArray.Set(i, p);
  }
  result.Set("pads", padArray);
  Napi::Array linkArray = Napi::Array::New(env, topology.num_links);
  for (uint32_t i = 0; i < topology.num_links; i++) {
    Napi::Object l = Napi::Object::New(env);
    l.Set("id", links[i].id);
    l.Set("sourceId", links[i].source_id);
    l.Set("sinkId", links[i].sink_id);
    l.Set("flags", links[i].flags);
    linkArray.Set(i, l);
  }
  result.Set("links", linkArray);
  return result;
}

// mediaSetupLink(fd, sourceEntity, sourcePad, sinkEntity, sinkPad, flags): MEDIA_IOC_SETUP_LINK.
static Napi::Value MediaSetupLink(const Napi::CallbackInfo& info) {
  media_link_desc link = {};
  link.source.entity = U32Arg(info, 1, "source entity");
  link.source.index = static_cast<__u16>(U32Arg(info, 2, "source pad"));
  link.source.flags = MEDIA_PAD_FL_SOURCE;
  link.sink.entity = U32Arg(info, 3, "sink entity");
  link.sink.index = static_cast<__u16>(U32Arg(info, 4, "sink pad"));
  link.sink.flags = MEDIA_PAD_FL_SINK;
  link.flags = U32Arg(info, 5, "flags");
  Ioctl(info.Env(), FdArg(info, 0), MEDIA_IOC_SETUP_LINK, "MEDIA_IOC_SETUP_LINK", &link);
  return info.Env().Undefined();
}

static Napi::Object MbusFormat(Napi::Env env, const v4l2_mbus_framefmt& f) {
  Napi::Object o = Napi::Object::New(env);
  o.Set("code", f.code);
  o.Set("width", f.width);
  o.Set("height", f.height);
  o.Set("field", f.field);
  o.Set("colorspace", f.colorspace);
  o.Set("ycbcrEnc", f.ycbcr_enc);
  o.Set("quantization", f.quantization);
  o.Set("xferFunc", f.xfer_func);
  return o;
}

// subdevFormat(fd, pad, which): VIDIOC_SUBDEV_G_FMT.
static Napi::Value SubdevGetFormat(const Napi::CallbackInfo& info) {
  v4l2_subdev_format format = {};
  format.pad = U32Arg(info, 1, "pad");
  format.which = U32Arg(info, 2, "which");
  Ioctl(info.Env(), FdArg(info, 0), VIDIOC_SUBDEV_G_FMT, "VIDIOC_SUBDEV_G_FMT", &format);
  return MbusFormat(info.Env(), format.format);
}

// subdevSetFormat(fd, pad, which, {code, width, height, field?, colorspace?, ...}): VIDIOC_SUBDEV_S_FMT;
// returns the format the driver chose.
static Napi::Value SubdevSetFormat(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  int fd = FdArg(info, 0);
  v4l2_subdev_format format = {};
  format.pad = U32Arg(info, 1, "pad");
  format.which = U32Arg(info, 2, "which");
  Napi::Object wanted = ObjectArg(info, 3, "format");
  format.format.code = U32Field(wanted, "code", 0);
  format.format.width = U32Field(wanted, "width", 0);
  format.format.height = U32Field(wanted, "height", 0);
  format.format.field = U32Field(wanted, "field", V4L2_FIELD_NONE);
  format.format.colorspace = U32Field(wanted, "colorspace", 0);
  format.format.ycbcr_enc = static_cast<__u16>(U32Field(wanted, "ycbcrEnc", 0));
  format.format.quantization = static_cast<__u16>(U32Field(wanted, "quantization", 0));
  format.format.xfer_func = static_cast<__u16>(U32Field(wanted, "xferFunc", 0));
  Ioctl(env, fd, VIDIOC_SUBDEV_S_FMT, "VIDIOC_SUBDEV_S_FMT", &format);
  return MbusFormat(env, format.format);
}

static Napi::Object Rect(Napi::Env env, const v4l2_rect& r) {
  Napi::Object o = Napi::Object::New(env);
  o.Set("left", r.left);
  o.Set("top", r.top);
  o.Set("width", r.width);
  o.Set("height", r.height);
  return o;
}

// subdevSelection(fd, pad, which, target, rect?): VIDIOC_SUBDEV_G_SELECTION, or S_SELECTION when
// a rectangle is given; returns the rectangle in effect.
static Napi::Value SubdevSelection(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  int fd = FdArg(info, 0);
  v4l2_subdev_selection selection = {};
  selection.pad = U32Arg(info, 1, "pad");
  selection.which = U32Arg(info, 2, "which");
  selection.target = U32Arg(info, 3, "target");
  if (info.Length() > 4 && !info[4].IsUndefined()) {
    Napi::Object r = ObjectArg(info, 4, "rectangle");
    selection.r.left = static_cast<__s32>(r.Get("left").ToNumber().Int32Value());
    selection.r.top = static_cast<__s32>(r.Get("top").ToNumber().Int32Value());
    selection.r.width = U32Field(r, "width", 0);
    selection.r.height = U32Field(r, "height", 0);
    Ioctl(env, fd, VIDIOC_SUBDEV_S_SELECTION, "VIDIOC_SUBDEV_S_SELECTION", &selection);
  } else {
    Ioctl(env, fd, VIDIOC_SUBDEV_G_SELECTION, "VIDIOC_SUBDEV_G_SELECTION", &selection);
  }
  return Rect(env, selection.r);
}

// subdevMbusCodes(fd, pad, which): the media bus codes a pad offers (VIDIOC_SUBDEV_ENUM_MBUS_CODE).
static Napi::Value SubdevMbusCodes(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  int fd = FdArg(info, 0);
  Napi::Array codes = Napi::Array::New(env);
  for (uint32_t index = 0;; index++) {
    v4l2_subdev_mbus_code_enum code = {};
    code.pad = U32Arg(info, 1, "pad");
    code.which = U32Arg(info, 2, "which");
    code.index = index;
    if (!IoctlUnless(env, fd, VIDIOC_SUBDEV_ENUM_MBUS_CODE, "VIDIOC_SUBDEV_ENUM_MBUS_CODE", &code, EINVAL)) break;
    codes.Set(index, code.code);
  }
  return codes;
}

void InitMedia(Napi::Env env, Napi::Object exports) {
  exports.Set("mediaDeviceInfo", Napi::Function::New(env, MediaDeviceInfo, "mediaDeviceInfo"));
  exports.Set("mediaTopology", Napi::Function::New(env, MediaTopology, "mediaTopology"));
  exports.Set("mediaSetupLink", Napi::Function::New(env, MediaSetupLink, "mediaSetupLink"));
  exports.Set("subdevFormat", Napi::Function::New(env, SubdevGetFormat, "subdevFormat"));
  exports.Set("subdevSetFormat", Napi::Function::New(env, SubdevSetFormat, "subdevSetFormat"));
  exports.Set("subdevSelection", Napi::Function::New(env, SubdevSelection, "subdevSelection"));
  exports.Set("subdevMbusCodes", Napi::Function::New(env, SubdevMbusCodes, "subdevMbusCodes"));
}

}  // namespace tsipa
