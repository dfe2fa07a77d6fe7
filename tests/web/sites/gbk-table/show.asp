<!DOCTYPE HTML PUBLIC "-//W3C//DTD HTML 4.01 Transitional//EN">
<HTML>
<HEAD>
<TITLE>邢台政协网--市政协召开十五届十六次主席会议</TITLE>
<META http-equiv=Content-Type content="text/html; charset=gb2312">
<META NAME="Keywords" CONTENT="邢台政协,邢台市政协,政协邢台市委员会,提案,社情民意">
<META NAME="Description" CONTENT="政协邢台市委员会">
<LINK href="/gbk-table/css/style.css" type=text/css rel=stylesheet>
<SCRIPT language=javascript src="/gbk-table/js/menu.js"></SCRIPT>
<STYLE type=text/css>
.date { FONT-SIZE: 12px; COLOR: #999999; FONT-FAMILY: 宋体 }
.title14 { FONT-WEIGHT: bold; FONT-SIZE: 14px; COLOR: #b20000 }
A:link { COLOR: #333333; TEXT-DECORATION: none }
A:visited { COLOR: #333333; TEXT-DECORATION: none }
A:hover { COLOR: #cc0000; TEXT-DECORATION: underline }
TD { FONT-SIZE: 12px; LINE-HEIGHT: 22px }
</STYLE>
</HEAD>
<BODY leftMargin=0 topMargin=0 marginheight=0 marginwidth=0 bgcolor=#ffffff>
<TABLE cellSpacing=0 cellPadding=0 width=980 align=center border=0>
  <TR>
    <TD><OBJECT classid=clsid:D27CDB6E-AE6D-11cf-96B8-444553540000 codebase=http://download.macromedia.com/pub/shockwave/cabs/flash/swflash.cab#version=6,0,29,0 width=980 height=150>
      <PARAM NAME=movie VALUE="/gbk-table/images/top.swf"><PARAM NAME=quality VALUE=high><PARAM NAME=wmode VALUE=transparent>
      <EMBED src="/gbk-table/images/top.swf" quality=high pluginspage=http://www.macromedia.com/go/getflashplayer type=application/x-shockwave-flash width=980 height=150></EMBED></OBJECT></TD>
  </TR>
  <TR>
    <TD background=/gbk-table/images/navbg.gif height=32 align=center>
      <A class=nav href="/gbk-table/index.asp">本站首页</A> | <A class=nav href="/gbk-table/list.asp?classid=1">政协概况</A> | <A class=nav href="/gbk-table/list.asp?classid=2">领导简介</A> | <A class=nav href="/gbk-table/list.asp?classid=3">机构设置</A> | <A class=nav href="/gbk-table/list.asp?classid=4">政协要闻</A> | <A class=nav href="/gbk-table/list.html">工作动态</A> | <A class=nav href="/gbk-table/list.asp?classid=6">提案工作</A> | <A class=nav href="/gbk-table/list.asp?classid=7">社情民意</A> | <A class=nav href="/gbk-table/list.asp?classid=8">委员风采</A> | <A class=nav href="/gbk-table/list.asp?classid=9">文史资料</A>
    </TD>
  </TR>
</TABLE>
<TABLE cellSpacing=0 cellPadding=0 width=980 align=center border=0>
  <TR>
    <TD height=30>&nbsp;您现在的位置：<A href="/gbk-table/index.asp">邢台政协网</A> &gt;&gt; <A href="/gbk-table/list.html">工作动态</A> &gt;&gt; 正文</TD>
  </TR>
  <TR>
    <TD align=center class=title14 height=50>市政协召开十五届十六次主席会议</TD>
  </TR>
  <TR>
    <TD align=center class=date>发布时间：2024-3-1 9:12:45&nbsp;&nbsp;&nbsp;&nbsp;点击数：312&nbsp;&nbsp;&nbsp;&nbsp;【<A href="javascript:window.close()">关闭窗口</A>】</TD>
  </TR>
  <TR>
    <TD style="PADDING-RIGHT: 20px; PADDING-LEFT: 20px; FONT-SIZE: 14px; LINE-HEIGHT: 28px">
<P>　　调研中，委员们建议，要坚持规划引领，统筹产业布局和基础设施建设；要加强要素保障，在资金、土地、人才等方面给予更多倾斜；要优化服务供给，切实解决企业发展中的难点堵点问题。</P>
<P>　　提案办理是政府工作与政协履职的重要结合点。今年以来，承办单位坚持把提案办理作为倾听民声、汇聚民智的重要渠道，做到件件有回音、事事有着落，提案办复率和委员满意率均达到100%。</P>
<P>　　会议强调，要坚持以习近平新时代中国特色社会主义思想为指导，全面贯彻落实中央政协工作会议精神，把加强思想政治引领、广泛凝聚共识作为中心环节，不断提升建言资政和凝聚共识的能力水平。</P>
<P>　　委员们表示，将以此次活动为契机，进一步增强责任感和使命感，把履职重心放在深入调查研究上，多到基层一线去，多到群众中间去，真正把情况摸清、把问题找准、把对策提实。</P>
<P>　　座谈会上，相关部门负责同志介绍了工作推进情况，政协委员和专家学者围绕体制机制创新、要素保障、人才引育、营商环境优化等方面踊跃发言，提出了许多具有针对性和可操作性的意见建议。</P>
<P>　　主席会议强调，要持续深化“有事好商量”协商平台建设，推动协商向基层延伸，把协商议事室打造成为倾听民声、化解民忧、凝聚民心的重要阵地，让群众身边的事情有地方商量、有人来商量。</P>
<P>　　会议通报了全年委员履职情况，对表现突出的委员和委员活动组进行了表扬，并对新一年的委员履职工作作出安排部署，要求广大委员珍惜政治身份，认真履职尽责，展示良好形象。</P>
    </TD>
  </TR>
</TABLE>

<div class="art-tools">
  <span class="share">分享到：<a href="javascript:void(0)" onclick="shareTo('weixin')">微信</a> <a href="javascript:void(0)" onclick="shareTo('weibo')">微博</a> <a href="javascript:void(0)" onclick="shareTo('qzone')">QQ空间</a></span>
  <span class="tools"><a href="javascript:void(0)" onclick="doZoom(18)">大</a> <a href="javascript:void(0)" onclick="doZoom(16)">中</a> <a href="javascript:void(0)" onclick="doZoom(14)">小</a> <a href="javascript:window.print()">打印</a> <a href="javascript:window.close()">关闭</a></span>
</div>
<script type="text/javascript">
function doZoom(size) {
  var box = document.getElementById("zoom") || document.body;
  box.style.fontSize = size + "px";
  var ps = box.getElementsByTagName("p");
  for (var i = 0; i < ps.length; i++) { ps[i].style.fontSize = size + "px"; ps[i].style.lineHeight = (size * 1.9) + "px"; }
}
function shareTo(target) {
  var url = encodeURIComponent(location.href), title = encodeURIComponent(document.title);
  if (target == "weibo") { window.open("https://service.weibo.com/share/share.php?url=" + url + "&title=" + title); }
  else if (target == "qzone") { window.open("https://sns.qzone.qq.com/cgi-bin/qzshare/cgi_qzshare_onekey?url=" + url + "&title=" + title); }
  else { alert("请使用微信“扫一扫”分享本页"); }
}
(function () {
  var img = new Image();
  img.src = "/stat/count?u=" + encodeURIComponent(location.pathname) + "&r=" + encodeURIComponent(document.referrer) + "&t=" + new Date().getTime();
})();
</script>
<TABLE cellSpacing=0 cellPadding=0 width=980 align=center border=0 bgcolor=#EEEEEE>
  <TR><TD height=6 background=/gbk-table/images/line.gif></TD></TR>
  <TR>
    <TD align=center height=80>版权所有：政协邢台市委员会办公室&nbsp;&nbsp;地址：邢台市襄都区守敬北路123号&nbsp;&nbsp;邮编：054001<BR>
    电话：0319-3212345&nbsp;&nbsp;传真：0319-3212346&nbsp;&nbsp;<A href="http://beian.miit.gov.cn" target=_blank>冀ICP备05012345号</A>&nbsp;&nbsp;技术支持：<A href="http://www.xtwl.com.cn" target=_blank>邢台网联科技</A><BR>
    您是本站第 <SCRIPT language=javascript src="/gbk-table/count.asp?id=1"></SCRIPT> 位访问者&nbsp;&nbsp;建议使用1024*768分辨率 IE6.0以上版本浏览</TD>
  </TR>
</TABLE>
</BODY>
</HTML>
