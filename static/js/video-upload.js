// Video upload straight from this browser to the object store: Uppy's Dashboard with the
// AwsS3 plugin in multipart mode. The portal only starts, signs, lists, completes and aborts;
// the file's parts go to presigned URLs, so large files resume after a pause or a dropped
// connection and failed parts are retried. Without JavaScript (or if Uppy did not load) the
// plain form beside it posts the file through the portal instead.
(function () {
  "use strict";
  const box = document.querySelector('.video-upload [data-role="uppy"]');
  const U = window.Uppy;
  if (!box || !U || !U.Uppy || !U.Dashboard || !U.AwsS3) return;
  const section = box.closest(".video-upload");
  const fallback = section.querySelector('[data-role="upload-fallback"]');
  const done = section.querySelector('[data-role="upload-done"]');
  const tokenInput = fallback && fallback.querySelector('input[name="csrf_token"]');
  if (!tokenInput) return;
  const csrfToken = tokenInput.value;
  const createUrl = box.dataset.createUrl;
  const MiB = 1024 * 1024;
  const types = box.dataset.types.split(",").map((t) => "." + t.trim()).filter((t) => t.length > 1);

  // Vietnamese has one form for every count.
  const all = (s) => ({ 0: s, 1: s });
  const VI = {
    pluralize: () => 0,
    strings: {
      // drop zone and browse
      dropPasteFiles: "Kéo thả tệp video vào đây hoặc %{browseFiles}",
      dropPasteFolders: "Kéo thả tệp video vào đây hoặc %{browseFolders}",
      dropPasteBoth: "Kéo thả tệp video vào đây, %{browseFiles} hoặc %{browseFolders}",
      dropPasteImportFiles: "Kéo thả tệp video vào đây, %{browseFiles} hoặc lấy từ:",
      dropPasteImportFolders: "Kéo thả tệp video vào đây, %{browseFolders} hoặc lấy từ:",
      dropPasteImportBoth: "Kéo thả tệp video vào đây, %{browseFiles}, %{browseFolders} hoặc lấy từ:",
      dropHint: "Thả tệp video vào đây",
      browseFiles: "chọn tệp trên máy",
      browseFolders: "chọn thư mục",
      browse: "Chọn tệp",
      myDevice: "Máy của tôi",
      importFiles: "Lấy tệp từ:",
      importFrom: "Lấy từ %{name}",
      addMore: "Thêm",
      addMoreFiles: "Thêm tệp",
      addingMoreFiles: "Đang thêm tệp",
      back: "Quay lại",
      removeFile: "Bỏ tệp này",
      xFilesSelected: all("Đã chọn %{smart_count} tệp"),
      dashboardTitle: "Tải video lên",
      dashboardWindowTitle: "Tải video lên (nhấn Esc để đóng)",
      closeModal: "Đóng",
      editFile: "Sửa thông tin tệp",
      editFileWithFilename: "Sửa thông tin tệp %{file}",
      editing: "Đang sửa %{file}",
      finishEditingFile: "Sửa xong",
      save: "Lưu",
      saveChanges: "Lưu thay đổi",
      // upload, progress, pause, resume, retry, cancel, complete
      upload: "Tải lên",
      uploadXFiles: all("Tải lên %{smart_count} tệp"),
      uploadXNewFiles: all("Tải lên thêm %{smart_count} tệp"),
      uploading: "Đang tải lên",
      uploadingXFiles: all("Đang tải lên %{smart_count} tệp"),
      processingXFiles: all("Đang xử lý %{smart_count} tệp"),
      dataUploadedOfTotal: "%{complete} / %{total}",
      dataUploadedOfUnknown: "%{complete} / chưa rõ",
      filesUploadedOfTotal: all("Đã tải lên %{complete}/%{smart_count} tệp"),
      xTimeLeft: "còn %{time}",
      pause: "Tạm dừng",
      pauseUpload: "Tạm dừng tải lên",
      paused: "Đã tạm dừng",
      uploadPaused: "Đã tạm dừng tải lên",
      resume: "Tiếp tục",
      resumeUpload: "Tiếp tục tải lên",
      retry: "Thử lại",
      retryUpload: "Thử lại",
      cancel: "Hủy",
      cancelUpload: "Hủy tải lên",
      complete: "Hoàn tất",
      uploadComplete: "Đã tải lên xong",
      done: "Xong",
      uploadFailed: "Tải lên không thành công",
      error: "Lỗi",
      showErrorDetails: "Xem chi tiết lỗi",
      // restrictions and errors (Uppy core)
      exceedsSize: "%{file} vượt quá dung lượng tối đa %{size}",
      aggregateExceedsSize: "Đã chọn %{size}, vượt quá mức cho phép %{sizeAllowed}",
      inferiorSize: "Tệp nhỏ hơn mức tối thiểu %{size}",
      youCanOnlyUploadFileTypes: "Chỉ nhận các định dạng: %{types}",
      youCanOnlyUploadX: all("Chỉ được tải lên %{smart_count} tệp"),
      youHaveToAtLeastSelectX: all("Cần chọn ít nhất %{smart_count} tệp"),
      noMoreFilesAllowed: "Không thể thêm tệp nữa",
      noDuplicates: "Tệp '%{fileName}' đã có trong danh sách",
      addBulkFilesFailed: all("Không thêm được %{smart_count} tệp do lỗi nội bộ"),
      failedToUpload: "Không tải lên được %{file}",
      noInternetConnection: "Mất kết nối Internet",
      connectedToInternet: "Đã có kết nối Internet trở lại",
      unnamed: "Không tên",
      pleaseWait: "Vui lòng chờ",
      loading: "Đang tải…",
    },
  };

  // The portal's JSON endpoints; the CSRF token goes in the X-CSRFToken header.
  async function call(method, url, body, signal) {
    const headers = { Accept: "application/json", "X-CSRFToken": csrfToken };
    if (body !== undefined) headers["Content-Type"] = "application/json";
    const res = await fetch(url, {
      method, headers, signal, credentials: "same-origin",
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    if (res.status === 204) return null;
    let data = null;
    try { data = await res.json(); } catch (e) { /* not JSON, e.g. an error page */ }
    if (!res.ok) {
      if (res.status === 401 || res.status === 400) {
        throw new Error((data && data.error) || "Phiên làm việc đã hết hạn; vui lòng tải lại trang và đăng nhập.");
      }
      throw new Error((data && data.error) || `Máy chủ trả lời lỗi ${res.status}.`);
    }
    return data;
  }
  const uploadUrl = (uploadId, key, tail) =>
    `${createUrl}/${encodeURIComponent(uploadId)}${tail || ""}?key=${encodeURIComponent(key)}`;

  const uppy = new U.Uppy({
    id: "video-upload",
    autoProceed: false,
    allowMultipleUploadBatches: false,
    restrictions: { maxNumberOfFiles: 1, maxFileSize: Number(box.dataset.maxSize), allowedFileTypes: types },
    locale: VI,
  });
  uppy.use(U.Dashboard, {
    inline: true,
    target: box,
    width: "100%",
    height: 280,
    proudlyDisplayPoweredByUppy: false,
    hideProgressDetails: false,
    showRemoveButtonAfterComplete: false,
    doneButtonHandler: null,
    note: `Một tệp video (${types.join(", ")}), tối đa ${box.dataset.maxHuman}.`,
  });
  uppy.use(U.AwsS3, {
    shouldUseMultipart: true,
    limit: 4,
    // S3 wants parts of at least 5 MiB and at most 10 000 of them.
    getChunkSize: (file) => Math.max(8 * MiB, Math.ceil(file.size / 10000)),
    createMultipartUpload: (file) =>
      call("POST", createUrl, { filename: file.name, type: file.type || "", size: file.size }),
    listParts: (file, { uploadId, key, signal }) =>
      call("GET", uploadUrl(uploadId, key), undefined, signal),
    signPart: (file, { uploadId, key, partNumber, signal }) =>
      call("GET", uploadUrl(uploadId, key, `/${partNumber}`), undefined, signal),
    completeMultipartUpload: (file, { uploadId, key, parts, signal }) =>
      call("POST", uploadUrl(uploadId, key, "/hoan-tat"),
        { parts: parts.map((p) => ({ PartNumber: p.PartNumber, ETag: p.ETag })) }, signal),
    abortMultipartUpload: (file, { uploadId, key }) =>
      call("DELETE", uploadUrl(uploadId, key)),
  });

  let busy = false;
  uppy.on("upload", () => { busy = true; });
  uppy.on("cancel-all", () => { busy = false; });
  uppy.on("complete", (result) => {
    busy = false;
    if (result.successful && result.successful.length && !(result.failed || []).length) {
      done.hidden = false;
      // The media panel shows the new video's state after a reload.
      setTimeout(() => window.location.reload(), 1500);
    }
  });
  window.addEventListener("beforeunload", (event) => {
    if (busy) { event.preventDefault(); event.returnValue = ""; }
  });

  box.hidden = false;
  if (fallback) fallback.hidden = true;
})();
